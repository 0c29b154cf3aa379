"""Words the blame rules reason with: people, roles, systems, products, negations.

Plain data and one helper; nothing here knows about sentences or rules.
"""

from __future__ import annotations

import re

PRONOUNS = frozenset(
    "i he she they we you who whoever someone somebody anyone anybody everyone everybody nobody noone no-one".split()
)
OBJECT_PRONOUNS = frozenset(
    "me him her them us you whom someone somebody anyone anybody everyone everybody "
    "himself herself themselves myself ourselves yourself yourselves".split()
)
# Roles people hold in an incident; "user" and "customer" are left out on purpose
# because sentences about what users did are usually about product behaviour.
_ROLES_SINGULAR = (
    "engineer developer dev programmer coder operator on-call oncall on-caller oncaller "
    "intern admin administrator sysadmin sre dba contractor consultant employee staffer "
    "teammate colleague coworker co-worker reviewer approver committer maintainer author "
    "manager lead responder commander ic tester qa analyst architect newcomer newbie hire "
    "junior person guy human individual team squad crew ops devops owner deployer releaser "
    "firefighter pager-holder"
).split()
ROLES = frozenset(_ROLES_SINGULAR + [w + "s" for w in _ROLES_SINGULAR] + ["people", "folks", "staff"])
# Chat mentions that address a group or name a feature, not a person.
NOT_HANDLES = frozenset("here channel everyone all mention mentions team oncall on-call group".split())
PEOPLE_DESKS = frozenset("support customer sales service helpdesk help-desk desk human".split())
ROLE_RE = "|".join(sorted((re.escape(r) for r in ROLES), key=len, reverse=True))

DETERMINERS = frozenset(
    "the a an this that these those its our their my your his her every each some any no another".split()
)
# A capitalised word right after one of these is a thing ("the Scheduler"). "that"
# and "this" are left out: "the root cause is that Ian didn't test it".
ARTICLES = DETERMINERS - {"that", "this", "no"}

# Capitalised words that are not people. Three groups, because a capitalised word
# right after a system word or product is part of a product name ("Certificate
# Manager", "GitHub Actions"), while after a function word it may be a name
# ("Then Bob forgot"). Tools whose names are also common first names are left out.
_FUNCTION_WORDS = frozenset(
    """
    the a an this that these those it its our their there then after before when while
    because since during at by once meanwhile however also later eventually finally
    initially unfortunately fortunately luckily yesterday today tonight tomorrow
    monday tuesday wednesday thursday friday saturday sunday january february march
    july september october november december all both each every no none some most
    many several few nothing something everything anything what which where why how
    if so but and or yes instead only even still just here again next first second
    third last other another such one two three meanwhile overall additionally
    similarly previously subsequently around approximately roughly about within
    """.split()
)
SYSTEM_WORDS = frozenset(
    """
    root cause summary impact timeline detection resolution lessons action note notes
    update updates status severity incident incidents outage outages postmortem runbook
    alert alerting alarm page paging pager monitoring monitor metric dashboard log
    logging tracing trace deploy deployment release rollout rollback migration
    build ci cd pipeline test testing check validation validator linter job cronjob
    cron script tool tooling automation bot service server host node pod container
    cluster replica primary secondary leader follower database db cache caching queue
    worker scheduler autoscaler autoscaling scaling gateway proxy balancer load traffic
    request response write read replication failover backup restore snapshot storage
    disk memory cpu network dns certificate cert tls ssl config configuration setting
    settings flag feature api endpoint client sdk library dependency version patch
    change commit merge branch code health healthcheck probe retry timeout limit quota
    throttling staging production prod canary region zone search checkout billing
    payment payments auth authentication authorization login signup ingest ingestion
    indexing routing scheduling streaming messaging networking provisioning shipping
    ticketing processing sharding error failure exception bug crash latency
    throughput capacity infrastructure infra platform security support engineering
    operations customer user vendor provider partner upstream downstream system
    process procedure policy cloud run function engine compute app application web
    mobile edge core hub studio store bucket object file data key secret identity
    access credential credentials password control center console portal kit connect sync link mesh bus stream event
    hook webhook notification email mail sms push chat voice video image media cdn
    frontend backend desktop internal external public private shared global local main
    master legacy beta alpha stable agent daemon controller operator ingress egress
    firewall router switch vpn vpc subnet cidr registry repository repo artifact
    package module plugin extension integration connector adapter driver runtime
    cluster-autoscaler manager secrets certificates actions functions workflows
    watchdog sidecar init collector exporter scraper crawler indexer parser renderer
    compiler interpreter loader uploader downloader importer consumer producer
    publisher subscriber listener handler middleware orchestrator supervisor
    coordinator broker resolver allocator reconciler provisioner backfill batch export
    import upload download reindex vacuum autovacuum rebalance warmup warm-up heartbeat
    lease lock election consensus quorum gossip raft cronjobs synthetic synthetics
    invoice invoicing order cart session token cookie thumbnail analytics telemetry
    observability lint linting hashing pooling polling batching queueing queuing
    retrying tagging signing parsing loading fetching syncing mirroring renaming
    pruning purging everything nothing
    """.split()
)
PRODUCTS = frozenset(
    """
    kubernetes k8s postgres postgresql mysql mariadb redis kafka zookeeper etcd consul
    vault nomad terraform ansible puppet helm argo argocd flux istio envoy linkerd
    nginx haproxy traefik caddy apache tomcat jetty gunicorn uwsgi celery sidekiq
    rabbitmq memcached varnish cassandra mongo mongodb elasticsearch opensearch kibana
    logstash fluentd fluentbit grafana prometheus alertmanager loki tempo jaeger thanos
    cortex mimir sentry datadog splunk newrelic honeycomb pagerduty opsgenie statuspage
    slack zoom jira confluence github gitlab bitbucket spinnaker circleci buildkite
    bamboo teamcity docker podman containerd kubelet karpenter keda velero minio ceph
    hadoop hive spark flink airflow dagster prefect temporal snowflake bigquery
    redshift aurora dynamo dynamodb spanner bigtable firestore firebase lambda fargate
    cloudflare fastly akamai heroku vercel netlify aws gcp azure google amazon
    microsoft okta twilio stripe jenkins linux ubuntu debian centos rhel windows python java
    ruby rust node nodejs deno django rails flask spring git npm yarn pip maven gradle
    bazel webpack renovate dependabot systemd kernel nagios zabbix icinga sensu
    pingdom checkly pulumi crossplane calico cilium coredns patroni pgbouncer
    pgpool vitess citus clickhouse influxdb graphite statsd telegraf kinesis pulsar
    nats activemq zeromq grpc graphql atlantis spacelift harbor keycloak auth0 cognito
    snyk trivy grype clair falco kyverno gatekeeper checkov sonarqube sonar codecov
    backstage sentinel defender debezium airbyte fivetran dbt looker tableau metabase
    superset redash segment rudderstack mixpanel amplitude fullstory launchdarkly
    unleash flagsmith optimizely statsig zuul gerrit gitea rundeck graylog filebeat
    metricbeat rsyslog syslog journald signoz lightstep dynatrace appdynamics instana
    rollbar bugsnag airbrake honeybadger victorops xmatters firehydrant rootly
    squadcast netdata munin cacti librenms smokeping uptimerobot statuscake cronitor
    atlassian trello asana notion dropbox gmail outlook discord mattermost webex
    ambassador contour kuma gloo tyk kong apigee rancher openshift tanzu portainer
    skaffold kustomize jsonnet tanka kubeflow knative tekton concourse woodpecker
    sourcegraph kubevela flagger keptn litmus gremlin toxiproxy locust gatling jmeter
    selenium cypress playwright puppeteer jest mocha pytest junit rspec resque faktory
    hangfire oban gearman mosquitto emqx hivemq mulesoft zapier workato retool
    supabase hasura prisma sequelize hibernate liquibase flyway alembic sqitch skeema
    bytebase planetscale cockroach cockroachdb yugabyte tidb singlestore scylla
    scylladb couchbase couchdb riak aerospike hazelcast dragonfly keydb valkey solr
    lucene vespa meilisearch typesense algolia pinecone weaviate milvus qdrant
    logrotate beats elastic athena glue beanstalk amplify bedrock dataflow dataproc
    bigtable memorystore anthos cosmos blob entra purview vagrant packer saltstack
    cloudfront cloudwatch cloudtrail guardduty sagemaker route53 ec2 ecs eks gke aks
    s3 sqs sns rds elb alb nlb
    """.split()
)
THINGS = SYSTEM_WORDS | PRODUCTS
NOT_NAMES = _FUNCTION_WORDS | THINGS
NOT_NAME_SUFFIXES = ("tion", "sion", "ment", "ness", "ism", "ogy", "ings")


def singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ses", "xes", "ches", "shes")):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


# "The operator failed to reconcile the CRD" is a Kubernetes controller, not a person.
K8S_CONTEXT = re.compile(
    r"\b(?:crds?|custom\s+resources?|reconcil\w*|controllers?|kubernetes|k8s|helm|"
    r"operators?\s+pods?|statefulsets?|deployments?\s+objects?)\b",
    re.IGNORECASE,
)

NEGATORS = frozenset("not no never nobody noone no-one none without nor neither avoid avoids avoided avoiding".split())
NEGATING_PHRASES = ("rather than", "instead of", "no one", "free of", "regardless of")
# Words that may sit between a negation and what it negates.
NEGATION_BRIDGE = frozenset(
    """
    a an the any one this that it its is was are were be been being am to of by for
    about on at in with due caused result really just simply entirely solely truly
    actually necessarily at all anyone anybody someone somebody individual individuals
    person people he she they we you i him her them us one's single case matter
    assign assigning place placing put putting want wanted trying try seek seeking
    looking look find finding point pointing attribute attributing lay laying there
    """.split()
)

# Words that end a noun phrase when reading an object ("blamed the team for ...").
NP_STOP = frozenset(
    "for of in on at by with to from and or but which who that because when after "
    "before since during while as than so is was were are be been has had have did "
    "does do didn't wasn't isn't".split()
)

COMMON_VERBS = frozenset(
    "is was are were has had have led took made caused broke ran went got let kept left "
    "lost put set made meant saw found".split()
)


NEGATED_POSSESSORS = frozenset({"nobody", "noone", "no-one", "none"})
