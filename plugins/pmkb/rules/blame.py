"""PMKB012 blame-language: find wording that pins an outcome on a person.

Blameless postmortems describe what the system allowed and what information was
missing; sentences such as "Bob forgot to run the migration" or "human error" teach
readers to look for a culprit instead. This module is a pure detector over one
Markdown file's text (front matter included); the rule in ``pmkb.rules.content``
turns each :class:`BlameHit` into a finding.

How it decides, in short:

* The text is masked (fenced code blocks, inline code, URLs, HTML tags and Markdown
  punctuation become spaces, so offsets never move) and cut into sentence-ish
  spans: paragraphs, list items, headings, table cells and front matter entries,
  then sentences within them.
* Some wording is blame whoever it is about ("human error", "careless").
* Most verbs are blame only when aimed at a person: "the check failed to run" is a
  fact about a system, "the on-call failed to escalate" pins it on a person. The
  word right before the verb is the subject's head; it counts as a person when it
  is an @handle, a pronoun, a role noun, or a capitalised name that is not a known
  system or common English word.
* Admissions such as "nobody is to blame" or "this was not human error" are
  recognised by a negation just before the blaming word.

Lines are separated by ``"\\n"`` (a ``"\\r"`` before it is kept as part of the line);
columns count characters, both 1-based.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["BlameHit", "BlamePhrases", "DEFAULT_HINTS", "EXTRA_HINT", "find_blame"]


@dataclass(frozen=True)
class BlameHit:
    line: int  # 1-based line in the given text
    column: int  # 1-based, in characters
    phrase: str  # the matched text (whitespace runs and Markdown markup collapsed to one space)
    hint: str  # a blameless rewording hint


@dataclass(frozen=True)
class BlamePhrases:
    """User configuration: ``extra`` regexes also count as blame, a hit whose
    sentence matches an ``allow`` regex is dropped; both are case-insensitive."""

    extra: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()
    use_defaults: bool = True

    def __post_init__(self) -> None:
        # Config files hand over lists, and a lone string would otherwise be
        # iterated character by character; normalise before validating.
        for name in ("extra", "allow"):
            value = getattr(self, name)
            normalised = (value,) if isinstance(value, str) else tuple(value)
            object.__setattr__(self, name, normalised)
            for pattern in normalised:
                _compile_user_pattern(pattern, name)


# --------------------------------------------------------------------------- hints

_HINT_HUMAN_ERROR = (
    'name the condition that made the action possible: '
    '"the CLI accepted a production target without a confirmation prompt"'
)
_HINT_FORGOT = (
    'describe the missing safeguard rather than the lapse: '
    '"nothing in the release checklist or the pipeline required the migration step"'
)
_HINT_FAILED = (
    'describe what the system allowed or what information was missing: '
    '"the runbook did not include the rollback step"'
)
_HINT_JUDGEMENT = (
    'drop the judgement of the person and describe the conditions: '
    '"the command ran against production without a confirmation prompt"'
)
_HINT_HINDSIGHT = (
    'replace hindsight with what was visible at the time: '
    '"the dashboard did not show replica lag, so the growing backlog was not visible"'
)
_HINT_ALERT = (
    'describe why the alert did not lead to action: '
    '"the alert fired alongside 40 others and linked to no runbook"'
)
_HINT_FAULT = (
    'describe the contributing conditions instead of assigning fault: '
    '"the config change reached production without validation"'
)
_HINT_BROKE = (
    'describe what the change did and what let it through: '
    '"the deploy went out without the migration check"'
)
_HINT_GUARDRAIL = (
    'describe the missing guardrail: "the deploy went out without the migration check"'
)
EXTRA_HINT = "describe what the system allowed or what information was missing, not who did it"

DEFAULT_HINTS: tuple[str, ...] = (
    _HINT_HUMAN_ERROR,
    _HINT_FORGOT,
    _HINT_FAILED,
    _HINT_JUDGEMENT,
    _HINT_HINDSIGHT,
    _HINT_ALERT,
    _HINT_FAULT,
    _HINT_BROKE,
    _HINT_GUARDRAIL,
)

# ----------------------------------------------------------------- vocabulary

_PRONOUNS = frozenset(
    "i he she they we you who whoever someone somebody anyone anybody everyone "
    "everybody nobody noone no-one".split()
)
_OBJECT_PRONOUNS = frozenset(
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
    "junior person guy human individual team squad crew ops devops owner"
).split()
_ROLES = frozenset(
    _ROLES_SINGULAR + [w + "s" for w in _ROLES_SINGULAR] + ["people", "folks", "staff"]
)
_PEOPLE_DESKS = frozenset("support customer sales service helpdesk help-desk desk human".split())
_ROLE_RE = "|".join(sorted((re.escape(r) for r in _ROLES), key=len, reverse=True))

_DETERMINERS = frozenset(
    "the a an this that these those its our their my your his her every each some any "
    "no another".split()
)
# A capitalised word right after one of these is a thing ("the Scheduler"). "that"
# and "this" are left out: "the root cause is that Ian didn't test it".
_ARTICLES = _DETERMINERS - {"that", "this", "no"}

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
_SYSTEM_WORDS = frozenset(
    """
    root cause summary impact timeline detection resolution lessons action note notes
    update updates status severity incident incidents outage outages postmortem runbook
    alert alerting alarm page paging pager monitoring monitor metric dashboard log
    logging tracing trace deploy deployment deployer release rollout rollback migration
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
    access control center console portal kit connect sync link mesh bus stream event
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
_PRODUCTS = frozenset(
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
_THINGS = _SYSTEM_WORDS | _PRODUCTS
_NOT_NAMES = _FUNCTION_WORDS | _THINGS
_NOT_NAME_SUFFIXES = ("tion", "sion", "ment", "ness", "ism", "ogy", "ings")


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ses", "xes", "ches", "shes")):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


# "The operator failed to reconcile the CRD" is a Kubernetes controller, not a person.
_K8S_CONTEXT = re.compile(
    r"\b(?:crds?|custom\s+resources?|reconcil\w*|controllers?|kubernetes|k8s|helm|"
    r"operators?\s+pods?|statefulsets?|deployments?\s+objects?)\b",
    re.IGNORECASE,
)

_NEGATORS = frozenset(
    "not no never nobody noone no-one none without nor neither avoid avoids avoided "
    "avoiding".split()
)
_NEGATING_PHRASES = ("rather than", "instead of", "no one", "free of", "regardless of")
# Words that may sit between a negation and what it negates.
_NEGATION_BRIDGE = frozenset(
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
_NP_STOP = frozenset(
    "for of in on at by with to from and or but which who that because when after "
    "before since during while as than so is was were are be been has had have did "
    "does do didn't wasn't isn't".split()
)

# ------------------------------------------------------------------- building blocks

# The subject's head word. Apostrophes are allowed only before a capital (O'Brien),
# so "Bob's" leaves the possessive for the rule to see.
_WHO = (
    r"(?P<who>(?<![\w.])@[A-Za-z0-9](?:[\w.-]*\w)?"
    r"|(?<![\w@'’.-])[^\W\d_][\w-]*(?:['’][A-Z][\w-]*)?)"
)
# Adverbs and auxiliaries that may sit between the subject and the verb.
_ADV = (
    r"(?:\s+(?:had|has|have|just|simply|apparently|clearly|obviously|evidently|"
    r"completely|totally|again|also|then|still|never|somehow|"
    r"unfortunately|probably|likely|seemingly|initially|repeatedly|basically|"
    r"ultimately|allegedly|reportedly|essentially|entirely|personally|previously|"
    r"originally|once\s+again|himself|herself|themselves|ourselves|myself)\b){0,3}"
)
# "Our intern, unfortunately, failed to ...": an aside between subject and verb.
_PARENTHETICAL = (
    r"(?:\s+(?:\w+ly|however|though|again|too|also|once\s+again|as\s+usual|it\s+seems)\s*,)?"
)
# An optional determiner and up to two modifiers in front of the head word, for
# rules that start with a fixed word ("because the on-call engineer didn't ...").
_NP_PREFIX = r"(?:(?:the|a|an|our|their|this|that|his|her|my|one|another)\s+(?:[\w-]+\s+){0,2}?)?"

# "error" as a mistake, not as a metric or a log line.
_ERROR_WORD = (
    r"errors?(?![-\s]+(?:rates?|messages?|codes?|logs?|budgets?|handling|handlers?|pages?|"
    r"responses?|counts?|paths?|states?|strings?|class|types?|bars?|spikes?|alerts?|"
    r"dashboards?|boundary|tracking|prone)\b)"
)
_MISTAKE = rf"(?:mistakes?|blunders?|slip-?ups?|goofs?|screw-?ups?|{_ERROR_WORD})"

_I = re.IGNORECASE


@dataclass(frozen=True)
class _Rule:
    """One way of blaming.

    ``subject``: the ``who`` group must look like a person. ``obj``: the noun phrase
    right after the match must. ``negatable``: a negation just before the ``kw``
    group (or the match) cancels the hit. ``possessive``: "nobody's fault" is an
    acquittal, not an accusation.
    """

    pattern: re.Pattern[str]
    hint: str
    subject: bool = False
    obj: bool = False
    negatable: bool = False
    possessive: bool = False
    check: Callable[[_Sentence, re.Match[str]], int | None] | None = None
    # Rules that start at any word are slow to scan for; a sentence without
    # their keyword is skipped first.
    prefilter: re.Pattern[str] | None = None
    # Literal words the pattern cannot match without: every match contains, for
    # each group, at least one of the group's strings (compared case-insensitively,
    # see ``_fold``). They must come from the pattern's consumed text, never from a
    # lookaround, and contain no whitespace, so that they survive masking: a
    # sentence (or a whole file) lacking one of them is skipped without running
    # the pattern. An empty tuple means the rule runs on every sentence.
    keywords: tuple[tuple[str, ...], ...] = ()
    # A piece of the pattern that every match consumes, without lookarounds or
    # anchors, for rules whose keywords are common words: a sentence it is not
    # found in is skipped. Like ``keywords`` (and unlike ``prefilter``), it only
    # saves time and never changes what is found.
    gate: re.Pattern[str] | None = None


def _subject_rule(
    verb: str,
    hint: str,
    *,
    keywords: tuple[tuple[str, ...], ...],
    negatable: bool = False,
    adverbs: bool = True,
) -> _Rule:
    # Verbs are matched case-insensitively so title-case headings still count;
    # the subject stays case-sensitive because capitals are how names are found.
    # An optional comma after the subject closes an appositive or a relative
    # clause: "Alice, the on-call engineer, forgot"; "The developer, who wrote it, forgot".
    middle = ",?" + (_PARENTHETICAL + _ADV + r"\s+" if adverbs else "")
    return _Rule(
        re.compile(_WHO + middle + f"(?i:{verb})"),
        hint,
        subject=True,
        negatable=negatable,
        prefilter=re.compile(verb, _I),
        keywords=keywords,
    )


def _global_rule(
    pattern: str, hint: str, *, keywords: tuple[tuple[str, ...], ...], negatable: bool = True
) -> _Rule:
    return _Rule(re.compile(pattern, _I), hint, negatable=negatable, keywords=keywords)


def _object_rule(
    pattern: str,
    hint: str,
    *,
    keywords: tuple[tuple[str, ...], ...],
    gate: str | None = None,
) -> _Rule:
    return _Rule(
        re.compile(pattern, _I),
        hint,
        obj=True,
        negatable=True,
        keywords=keywords,
        gate=None if gate is None else re.compile(gate, _I),
    )


def _words(spaced: str) -> tuple[str, ...]:
    return tuple(spaced.split())


# Keyword groups shared by several rules: _MISTAKE and _POSSESSIVE_NOUN.
_MISTAKE_KEYWORDS = _words("mistake blunder slip goof screw error")
_POSSESSIVE_KEYWORDS = _words(
    "fault mistake blunder oversight carelessness negligence laziness incompetence "
    "sloppiness recklessness screw slip lapse failure error"
)
_APOSTROPHES = ("'", "’")


# --------------------------------------------------------------------------- rules

_SUBJECT_RULES: tuple[_Rule, ...] = (
    _subject_rule(r"(?P<kw>forg[eo]t(?:s|ten)?)\b", _HINT_FORGOT, keywords=(("forget", "forgot"),)),
    _subject_rule(r"(?P<kw>fail(?:ed|s)?\s+to)\b", _HINT_FAILED, keywords=(("fail",),)),
    _subject_rule(r"(?P<kw>neglect(?:ed|s)?)\b", _HINT_FORGOT, keywords=(("neglect",),)),
    # "broke down the problem" and "broke the work into steps" are not breakage.
    _subject_rule(
        r"(?P<kw>broke)\b"
        r"(?!\s+(?:down|up|out|off|through|even|ground|apart|away|free|loose|character|"
        r"the\s+(?:news|tie|ice|silence|record))\b)"
        r"(?!(?:\s+[\w'’-]+){1,2}\s+(?:down|up|into|apart)\b)",
        _HINT_BROKE,
        keywords=(("broke",),),
    ),
    _subject_rule(
        r"(?P<kw>(?:messed|screwed|mucked|fouled|cocked)"
        r"(?:\s+(?:it|this|that|things|everything))?\s+up"
        r"|botched|bungled|fumbled|flubbed|goofed|fat[- ]?fingered)\b",
        _HINT_BROKE,
        keywords=(_words("messed screwed mucked fouled cocked botched bungled fumbled flubbed goofed fingered"),),
    ),
    # Not "dismissed": dismissing a false positive is the right call.
    _subject_rule(
        r"(?P<kw>ignored|ignores|disregarded|brushed\s+off)\b",
        _HINT_ALERT,
        keywords=(("ignore", "disregarded", "brushed"),),
    ),
    _subject_rule(
        r"(?P<kw>(?:should|ought\s+to)(?:\s+have|['’]ve|\s+of)\s+(?:\w+ly\s+)?"
        r"(?:known|noticed|caught|seen|spotted|checked|double[- ]checked|tested|verified|"
        r"validated|confirmed|realized|realised|read|reviewed|looked|asked|escalated|"
        r"followed|waited|thought|remembered|anticipated|foreseen|prevented|stopped|"
        r"questioned|flagged|paid\s+(?:more\s+)?attention|"
        r"been\s+(?:more\s+)?(?:careful|attentive|aware|paying\s+attention|watching)))\b",
        _HINT_HINDSIGHT,
        keywords=(("should", "ought"),),
    ),
    _subject_rule(
        r"(?P<kw>ma(?:de|kes?)\s+(?:(?:a|an|the|another|one|several|multiple|some|two|"
        rf"three|many|this|that|his|her|their|our|my)\s+)?(?:[\w-]+\s+){{0,2}}?{_MISTAKE})",
        _HINT_JUDGEMENT,
        keywords=(("made", "make"), _MISTAKE_KEYWORDS),
    ),
    # Only outcomes: "Priya caused a controlled failover" is an action, not blame.
    _subject_rule(
        r"(?P<kw>caused|causes)\s+(?:(?:the|this|that|an?|our)\s+)?(?:[\w-]+\s+){0,2}?"
        r"(?:outage|incident|downtime|breakage|problem|issue|mess|damage|disruption|"
        r"data\s+loss|errors?|failure|crash|sev)\b",
        _HINT_FAULT,
        keywords=(
            ("caused", "causes"),
            _words(
                "outage incident downtime breakage problem issue mess damage disruption loss error failure crash sev"
            ),
        ),
    ),
    _subject_rule(
        r"(?P<kw>(?:didn['’]t|did\s+not|never)\s+(?:even\s+)?(?:bother(?:ed)?|test(?:ed)?|"
        r"check(?:ed)?|double[- ]check(?:ed)?|verif(?:y|ied)|validated?|"
        r"follow(?:ed)?\s+the\s+(?:runbook|process|procedure|checklist|playbook)|"
        r"read\s+the|review(?:ed)?|look(?:ed)?\s+at|pa(?:y|id)\s+attention|cared?|"
        r"listen(?:ed)?))\b",
        _HINT_GUARDRAIL,
        keywords=(
            ("did", "never"),
            _words("bother test check verif validate follow read review look pay paid care listen"),
        ),
    ),
    _subject_rule(
        r"(?P<kw>(?:is|was|were|are|has\s+been|had\s+been|been|being|seemed|seems)\s+"
        r"(?:(?:\w+ly|also|partly|too|so|very|just|being|a\s+bit|a\s+little)\s+){0,2}"
        r"(?:at\s+fault|culpable|negligent|careless|lazy|sloppy|incompetent|reckless|"
        r"clueless|responsible\s+for\s+(?:the|this|our)\s+(?:[\w-]+\s+)?"
        r"(?:outage|incident|downtime|breakage|failure|mistake|error|problem|issue|"
        r"data\s+loss)))\b",
        _HINT_JUDGEMENT,
        negatable=True,
        keywords=(
            _words("fault culpable negligent careless lazy sloppy incompetent reckless clueless responsible"),
        ),
    ),
    # "Bob is to blame", "someone to blame"; a system subject ("the cache was to
    # blame") is not blame of a person, so the general blame rule leaves these alone.
    _subject_rule(
        r"(?:\s*['’]s|\s+(?:is|was|are|were|has\s+been|had\s+been|be))?\s+"
        r"(?:(?:partly|partially|solely|entirely|also|largely|mostly)\s+)?(?P<kw>to\s+blame)\b",
        _HINT_FAULT,
        negatable=True,
        adverbs=False,
        keywords=(("blame",),),
    ),
    _subject_rule(
        r"(?P<kw>\w+ed)(?:\s+[^\s.!?]+){0,5}?\s+without\s+"
        r"(?:(?:any|a|first|even|properly|proper|bothering\s+to|actually)\s+)?"
        r"(?:testing|tests?|checking|review(?:ing)?|approval|verif(?:ying|ication)|thinking|"
        r"asking|telling\s+anyone|reading|looking|double[- ]checking)\b",
        _HINT_GUARDRAIL,
        keywords=(
            ("without",),
            _words("test check review approval verif thinking asking telling reading looking"),
        ),
    ),
    _subject_rule(
        r"(?P<kw>(?:pushed|deployed|shipped|merged|released|committed|applied)"
        r"(?:\s+[^\s.!?]+){0,2}?\s+(?:untested|unreviewed|unverified))\b",
        _HINT_GUARDRAIL,
        keywords=(
            ("untested", "unreviewed", "unverified"),
            _words("pushed deployed shipped merged released committed applied"),
        ),
    ),
    # An action pinned on a slip: "the intern dropped the table by mistake".
    _subject_rule(
        r"(?P<kw>(?:accidentally|mistakenly|inadvertently|unintentionally)\s+\w+"
        r"|\w+ed(?:\s+[^\s.!?]+){0,5}?\s+(?:by\s+(?:mistake|accident)|in\s+error))\b",
        _HINT_HUMAN_ERROR,
        keywords=(("accident", "mistake", "inadvertently", "unintentionally", "error"),),
    ),
)

_POSSESSIVE_NOUN = (
    r"(?:own\s+)?(?P<kw>fault|mistakes?|blunders?|oversights?|carelessness|negligence|"
    r"laziness|incompetence|sloppiness|recklessness|screw-?ups?|slip-?ups?|lapse|"
    rf"failure\s+to|{_ERROR_WORD})\b"
)
_POSSESSIVE_RULES: tuple[_Rule, ...] = (
    _Rule(
        re.compile(_WHO + r"(?:['’]s\b|(?<=s)['’])\s+" + f"(?i:{_POSSESSIVE_NOUN})"),
        _HINT_FAULT,
        subject=True,
        negatable=True,
        possessive=True,
        prefilter=re.compile(r"['’]s?\s+" + _POSSESSIVE_NOUN, _I),
        keywords=(_POSSESSIVE_KEYWORDS, _APOSTROPHES),
    ),
    _Rule(
        re.compile(r"\b(?:my|his|her|their|our|your)\s+" + _POSSESSIVE_NOUN, _I),
        _HINT_FAULT,
        negatable=True,
        keywords=(_POSSESSIVE_KEYWORDS, ("my", "his", "her", "their", "our")),  # "your" holds "our"
    ),
    # "Alice's change broke checkout" still pins the outcome on Alice.
    _Rule(
        re.compile(
            _WHO + r"['’]s\s+(?:[\w-]+\s+){0,2}?"
            r"(?i:(?:change|commit|push|deploy|deployment|pr|pull\s+request|merge|script|"
            r"typo|query|command|edit)s?\s+(?:\w+ly\s+)?"
            r"(?P<kw>broke|caused\s+the|took\s+down|brought\s+down|knocked\s+over))\b"
        ),
        _HINT_BROKE,
        subject=True,
        prefilter=re.compile(r"['’]s\s.*\b(?:broke|caused|took|brought|knocked)\b", _I | re.S),
        keywords=(("broke", "caused", "took", "brought", "knocked"), _APOSTROPHES),
    ),
)

_CONTEXT_RULES: tuple[_Rule, ...] = (
    _Rule(
        re.compile(
            r"\b(?i:because)\s+" + _NP_PREFIX + _WHO + r"\s+(?i:(?P<kw>didn['’]t|did\s+not|never|"
            r"hadn['’]t|had\s+not)\b(?!\s+(?:have|has|get|receive|hear)\b))"
        ),
        _HINT_GUARDRAIL,
        subject=True,
        prefilter=re.compile(r"\bbecause\b", _I),
        keywords=(("because",), ("did", "never", "had")),  # "didn't", "hadn't"
    ),
    _Rule(
        re.compile(
            r"\b(?i:if)\s+(?i:only\s+)?" + _NP_PREFIX + _WHO
            + r"(?i:\s+had|['’]d)\s+(?i:(?:only\s+|just\s+)?"
            r"(?P<kw>read|checked|followed|tested|looked|paid\s+attention|noticed|listened|"
            r"been\s+(?:more\s+)?careful|bothered|double-checked|verified|reviewed|asked|waited))\b"
        ),
        _HINT_HINDSIGHT,
        subject=True,
        prefilter=re.compile(r"\bif\b", _I),
        keywords=(
            ("if",),
            ("had", "'d", "’d"),
            _words(
                "read checked followed tested looked paid noticed listened been bothered verified reviewed asked waited"
            ),
        ),
    ),
    _Rule(
        re.compile(r"\blazy\s+(?:[\w-]+\s+)?(?:" + _ROLE_RE + r")\b", _I),
        _HINT_JUDGEMENT,
        negatable=True,
        keywords=(("lazy",),),
    ),
)

_GLOBAL_RULES: tuple[_Rule, ...] = (
    _global_rule(
        r"\b(?P<kw>(?:human|operator|pilot|personnel|engineer|engineering|developer|staff)"
        rf"[- ](?:{_ERROR_WORD}|mistakes?|failures?|oversights?))",
        _HINT_HUMAN_ERROR,
        keywords=(
            ("error", "mistake", "failure", "oversight"),
            ("human", "operator", "pilot", "personnel", "engineer", "developer", "staff"),
        ),
    ),
    _global_rule(
        r"\b(?P<kw>pebkac|pebcak|picnic\s+error|id-?10-?t|layer[- ]?8\s+(?:issue|problem|error))\b",
        _HINT_HUMAN_ERROR,
        keywords=(("pebkac", "pebcak", "picnic", "id10", "id-10", "layer"),),
    ),
    _global_rule(r"\b(?P<kw>fat[- ]?finger(?:ed|ing|s)?)\b", _HINT_HUMAN_ERROR, keywords=(("finger",),)),
    # Idioms that only ever describe people.
    _global_rule(
        r"\b(?P<kw>dropped\s+the\s+ball|ball\s+was\s+dropped|asleep\s+on\s+the\s+job|"
        r"drop(?:s|ping)?\s+the\s+ball)\b",
        _HINT_GUARDRAIL,
        keywords=(("ball", "asleep"),),
    ),
    # Cassandra's "sloppy quorum" is a design term, not a verdict on anyone.
    _global_rule(
        r"\b(?P<kw>careless(?:ly|ness)?|negligen(?:t|tly|ce)|reckless(?:ly|ness)?|"
        r"incompeten(?:t|ce|cy)|laziness|sloppi(?:ly|ness)|sloppy(?![-\s]+quorums?\b)|"
        r"culpab(?:le|ility)|clueless(?:ness)?)\b",
        _HINT_JUDGEMENT,
        keywords=(_words("careless negligen reckless incompeten laziness slopp culpab clueless"),),
    ),
    _global_rule(
        r"\b(?P<kw>(?:stupid|dumb|silly|boneheaded|rookie|idiotic|amateur(?:ish)?|"
        r"inexcusable|unforgivable|embarrassing)\s+(?:mistake|error|blunder)s?)\b",
        _HINT_JUDGEMENT,
        keywords=(
            _words("stupid dumb silly boneheaded rookie idiotic amateur inexcusable unforgivable embarrassing"),
            ("mistake", "error", "blunder"),
        ),
    ),
    _global_rule(
        r"\b(?P<kw>(?:should(?:\s+have|['’]ve)|ought\s+to\s+have)\s+known\s+better|knew\s+better)\b",
        _HINT_HINDSIGHT,
        keywords=(("better",),),
    ),
    _global_rule(
        r"\b(?P<kw>(?:poor|bad|questionable|lapses?\s+(?:of|in)|errors?\s+(?:of|in))\s+judge?ment)\b",
        _HINT_JUDGEMENT,
        keywords=(("judgment", "judgement"),),
    ),
    _global_rule(
        r"(?:\b(?:wasn['’]t|was\s+not|weren['’]t|were\s+not|isn['’]t|is\s+not|not)\s+paying\s+attention"
        r"|\basleep\s+at\s+the\s+(?:wheel|switch)|\bdidn['’]t\s+pay\s+attention)\b",
        _HINT_JUDGEMENT,
        negatable=False,
        keywords=(("attention", "asleep"),),
    ),
    _global_rule(
        r"(?:\b(?:nobody|no\s+one|no-one|noone)\s+(?:even\s+)?bothered"
        r"|\b(?:didn['’]t|did\s+not|never|couldn['’]t\s+be|could\s+not\s+be)\s+(?:even\s+)?"
        r"bother(?:ed)?)\b",
        _HINT_GUARDRAIL,
        negatable=False,
        keywords=(("bother",),),
    ),
)

_OBJECT_RULES: tuple[_Rule, ...] = (
    _object_rule(
        r"\b(?P<kw>fault)\s+(?:(?:lies|lay|rests|rested|was|is|belongs|fell|falls|sits)\s+)?"
        r"(?:squarely\s+|entirely\s+|solely\s+)?(?:of|with|on|to)\s+",
        _HINT_FAULT,
        keywords=(("fault",),),
    ),
    _object_rule(r"\b(?P<kw>(?:caused|broken)\s+by)\s+", _HINT_FAULT, keywords=(("caused", "broken"), ("by",))),
    # "This one is on Derek", "the outage is on the SRE who approved it".
    _object_rule(
        r"\b(?P<kw>(?:this|that|it|(?:the\s+|this\s+)?(?:outage|incident|failure|breakage|mess|one))"
        r"\s+(?:is|was|['’]s)\s+(?:all\s+|entirely\s+|squarely\s+|totally\s+)?on)\s+",
        _HINT_FAULT,
        gate=r"(?:is|was|['’]s)\s+(?:(?:all|entirely|squarely|totally)\s+)?on\s",
        keywords=(
            ("is", "was", "'s", "’s"),
            ("on",),
            ("this", "that", "it", "outage", "incident", "failure", "breakage", "mess", "one"),
        ),
    ),
    _object_rule(
        r"\b(?P<kw>(?:ignored|overlooked|missed|disregarded)\s+by)\s+",
        _HINT_ALERT,
        keywords=(("ignored", "overlooked", "missed", "disregarded"), ("by",)),
    ),
    _object_rule(
        rf"\b(?P<kw>(?:{_MISTAKE}|oversight|negligence|carelessness)\s+"
        r"(?:by|of|on\s+the\s+part\s+of|from))\s+",
        _HINT_FAULT,
        keywords=(_MISTAKE_KEYWORDS + ("oversight", "negligence", "carelessness"), ("by", "of", "on", "from")),
    ),
)

# "blameless", "blame-free" and "git blame" are not blame.
_BLAME_WORD = re.compile(r"(?<![\w-])(?P<kw>blam(?:e|ed|es|ing)|blameworthy)(?![\w-])", _I)
_GIT_BEFORE = re.compile(r"\bgit\s*$", _I)
_PREDICATE_TO = re.compile(r"(?:\b(?:is|was|are|were|be|been)|['’]s)\s+(?:\w+\s+)?to\s*$", _I)
_BLAME_LINK = re.compile(
    r"\s+(?:(?:it|this|that|everything|the\s+(?:outage|incident))\s+)?"
    r"(?:(?:lies|lay|lie|rests|rested|falls|fell|is|was|goes|went|sits|sat|squarely|"
    r"entirely|solely)\s+)*(?:(?:on|upon|onto|with|to|at)\s+)?",
    _I,
)

_TOKEN = re.compile(r"@[A-Za-z0-9][\w.-]*|[^\W_][\w-]*(?:['’][A-Z][\w-]*)?")
_WORD = re.compile(r"[\w'’-]+")
_CLAUSE_BREAK = re.compile(r"[,;:()\u2014]")


# ------------------------------------------------------------------ person checks


def _is_name(token: str) -> bool:
    """A capitalised word that could be a first name or surname."""
    low = token.lower()
    if len(token) < 2 or low in _NOT_NAMES or _singular(low) in _NOT_NAMES:
        return False
    if len(token) >= 6 and low.endswith(_NOT_NAME_SUFFIXES):
        return False
    # -ing words are system nouns ("Provisioning"); short ones may be names (Ming).
    if len(token) >= 9 and low.endswith("ing"):
        return False
    body = token[2:] if token.startswith("Mc") and len(token) > 3 else token
    parts = [p for p in re.split(r"[-'’]", body) if p]
    # Internal capitals mean a product (PostgreSQL, GitHub, PagerDuty) or an acronym.
    return bool(parts) and all(p[0].isupper() and (p[1:].islower() or not p[1:]) for p in parts)


def _is_product_word(token: str) -> bool:
    """A capitalised word that starts a product name: "Google Cloud", "GitHub Actions"."""
    if not token[:1].isupper():
        return False
    low = token.lower()
    if low in _PRODUCTS or low in _SYSTEM_WORDS or _singular(low) in _SYSTEM_WORDS:
        return True
    # CamelCase or an acronym (GitHub, AWS), but not the pronoun I.
    return len(token) > 1 and any(c.isupper() for c in token[1:])


def _is_title_case(sentence: str) -> bool:
    """Headings such as "Cache Warmer Failed To Start" capitalise every word."""
    words = [w for w in _WORD.findall(sentence) if w[:1].isalpha()]
    if len(words) < 4:
        return False
    capitalised = sum(1 for w in words if w[:1].isupper())
    return capitalised / len(words) >= 0.6


def _they_means_things(sentence: str) -> bool:
    """ "The replicas fell behind and they failed to catch up": when the sentence
    names plural things and no people before "they", it refers to the things."""
    words = _WORD.findall(sentence)
    lowered = [w.lower() for w in words]
    earlier = words[: lowered.index("they")] if "they" in lowered else words
    for word in earlier:
        low = word.lower()
        if low in _ROLES or low in _PRONOUNS or word.startswith("@") or _is_name(word):
            return False
    return any(w.lower().endswith("s") and _singular(w.lower()) in _THINGS for w in earlier)


def _token_is_person(token: str, before: list[str], sentence: str) -> bool:
    """Whether ``token``, the head of a noun phrase, names a person.

    ``before`` holds the words just before it, as written, nearest last.
    """
    if token.startswith("@"):
        return True
    low = token.lower()
    if low == "they" and _they_means_things(sentence):
        return False
    if low in _PRONOUNS or low in _OBJECT_PRONOUNS:
        return token != "US"  # the country, not the pronoun
    previous = before[-1] if before else ""
    after_product = _is_product_word(previous)
    if low in _ROLES:
        if after_product and token[:1].isupper():
            return False  # "Certificate Manager", "Secrets Operator"
        if low.startswith("operator") and (previous.lower() in _NOT_NAMES or _K8S_CONTEXT.search(sentence)):
            return False
        return True
    if low in ("call", "duty", "shift") and previous.lower() == "on":
        return True  # "the person on call", "the engineer on duty"
    if low in ("agent", "agents", "rep", "reps") and previous.lower() in _PEOPLE_DESKS:
        return True  # a support agent is a person, a Datadog agent is not
    if low in ("member", "members") and previous.lower() in ("team", "staff", "crew"):
        return True
    if _is_name(token):
        # Names take no article ("the Scheduler" is a thing) and do not follow
        # a product word ("Google Cloud").
        if previous.lower() in _ARTICLES or after_product:
            return False
        return not _is_title_case(sentence)
    return False


@dataclass(frozen=True)
class _Sentence:
    masked: str
    start: int
    end: int

    def words_before(self, pos: int, limit: int = 4) -> list[str]:
        """Words before ``pos`` in this sentence and clause, as written, nearest last."""
        window = self.masked[max(self.start, pos - 80) : pos]
        clause = _CLAUSE_BREAK.split(window)[-1]
        return _WORD.findall(clause)[-limit:]

    def text(self) -> str:
        return self.masked[self.start : self.end]


def _is_negator(word: str) -> bool:
    return word in _NEGATORS or word.endswith(("n't", "n’t"))


def _negated(sentence: _Sentence, pos: int) -> bool:
    """A negation shortly before ``pos`` that still governs it: "not a case of
    human error" and "nobody is to blame" are acquittals, but in "we can't keep
    having incompetent reviewers" the negation belongs to another verb."""
    words = [w.lower() for w in sentence.words_before(pos)]
    joined = " ".join(words)
    if any(phrase in joined for phrase in _NEGATING_PHRASES):
        return True
    for i, word in enumerate(words):
        if _is_negator(word):
            between = words[i + 1 :]
            if all(w in _NEGATION_BRIDGE or w.endswith(("'s", "’s")) or _is_negator(w) for w in between):
                return True
    return False


def _object_person(sentence: _Sentence, pos: int) -> tuple[bool | None, int]:
    """Read the noun phrase starting at ``pos``: (is it a person?, its end).

    None means there is no noun phrase to judge (end of sentence).
    """
    tokens = list(_TOKEN.finditer(sentence.masked, pos, sentence.end))[:4]
    if not tokens or sentence.masked[pos : tokens[0].start()].strip():
        return None, pos
    first = tokens[0]
    word = first.group()
    low = word.lower()
    if low in _NP_STOP:
        return None, pos
    if low in ("it", "this", "that", "these", "those", "everything", "something", "anything"):
        return False, first.end()
    context = sentence.text()
    # A handle, pronoun or name settles it: "caused by @alex pushing", "Bob's change".
    if word[:1] in "@" or word[:1].isupper() or low in _PRONOUNS or low in _OBJECT_PRONOUNS:
        if _token_is_person(word, [], context):
            return True, first.end()
    # A common noun phrase: the head is its last word before a stop word or
    # punctuation ("the engineer's change" stops at the apostrophe).
    words = tokens[1:] if low in _DETERMINERS else tokens
    head: re.Match[str] | None = None
    previous_end = first.end() if low in _DETERMINERS else pos
    for tok in words:
        if sentence.masked[previous_end : tok.start()].strip() or tok.group().lower() in _NP_STOP:
            break
        if head is not None and _looks_like_verb(tok.group()):
            break  # "the contractor deleting ...", "the engineer extended ..."
        head = tok
        previous_end = tok.end()
    if head is None:
        return False, first.end()
    before = [t.group() for t in tokens if t.start() < head.start()]
    return _token_is_person(head.group(), before, context), head.end()


_COMMON_VERBS = frozenset(
    "is was are were has had have led took made caused broke ran went got let kept left "
    "lost put set made meant saw found".split()
)


def _looks_like_verb(word: str) -> bool:
    low = word.lower()
    return low in _COMMON_VERBS or (len(low) > 4 and low.endswith(("ed", "ing")))


def _blame_word_check(sentence: _Sentence, m: re.Match[str]) -> int | None:
    """The bare word "blame": a hit unless negated, "git blame", or aimed at a system."""
    before = sentence.masked[max(sentence.start, m.start() - 20) : m.start()]
    if _GIT_BEFORE.search(before) or _PREDICATE_TO.search(before):
        return None
    if _negated(sentence, m.start()):
        return None
    link = _BLAME_LINK.match(sentence.masked, m.end(), sentence.end)
    target = link.end() if link else m.end()
    person, end = _object_person(sentence, target)
    if person is False:
        return None
    return end if person else m.end()


_BLAME_RULE = _Rule(_BLAME_WORD, _HINT_FAULT, check=_blame_word_check, keywords=(("blam",),))

_DEFAULT_RULES: tuple[_Rule, ...] = (
    _SUBJECT_RULES + _POSSESSIVE_RULES + _CONTEXT_RULES + _GLOBAL_RULES + _OBJECT_RULES + (_BLAME_RULE,)
)

_NEGATED_POSSESSORS = frozenset({"nobody", "noone", "no-one", "none"})


_RELATIVE_CLAUSE = re.compile(
    r"(?P<head>@?[^\W\d_][\w-]*),?\s+who\s+(?:[^\s.!?;,]+\s+){1,6}$", re.IGNORECASE
)


def _relative_subject_is_person(sentence: _Sentence, who_start: int) -> bool:
    """The verb's subject may sit before a relative clause: "the developer who
    wrote the migration forgot the index". Only "who" clauses without commas
    inside count: "that" is as often a conjunction ("told the engineer that the
    job failed to start")."""
    if sentence.masked[who_start : who_start + 6].lower().startswith(("that", "which")):
        return False
    window_start = max(sentence.start, who_start - 120)
    m = _RELATIVE_CLAUSE.search(sentence.masked, window_start, who_start)
    if m is None:
        return False
    before = sentence.words_before(m.start("head"), limit=2)
    return _token_is_person(m.group("head"), before, sentence.text())


def _phrase_start(sentence: _Sentence, who_start: int) -> int:
    """Widen a subject to its article and one modifier: "the on-call engineer"."""
    window_start = max(sentence.start, who_start - 60)
    tokens = list(_TOKEN.finditer(sentence.masked, window_start, who_start))[-2:]
    start = who_start
    for steps, tok in enumerate(reversed(tokens)):
        if sentence.masked[tok.end() : start].strip():
            break  # punctuation between: not one noun phrase
        word = tok.group()
        if word.lower() in _DETERMINERS:
            return tok.start()
        head = _TOKEN.match(sentence.masked, who_start)
        if steps == 0 and head is not None and _is_name(word) and _is_name(head.group()):
            return tok.start()  # first name and surname: "Wei Zhang"
        if steps > 0 or not word.islower():
            break
        start = tok.start()  # a lower-case modifier; keep it only if an article precedes
    return who_start


def _apply(rule: _Rule, sentence: _Sentence, m: re.Match[str]) -> tuple[int, int] | None:
    """The span of a hit for this match, or None when the match is not blame."""
    start, end = m.start(), m.end()
    if rule.check is not None:
        checked = rule.check(sentence, m)
        return None if checked is None else (start, checked)
    if rule.subject:
        who = m.group("who")
        before = sentence.words_before(m.start("who"), limit=2)
        if not _token_is_person(who, before, sentence.text()) and not _relative_subject_is_person(
            sentence, m.start("who")
        ):
            return None
        if rule.possessive and (who.lower() in _NEGATED_POSSESSORS):
            return None
        start = _phrase_start(sentence, m.start("who"))
    if rule.negatable:
        kw = m.start("kw") if "kw" in rule.pattern.groupindex and m.group("kw") else start
        if _negated(sentence, kw):
            return None
    if rule.obj:
        person, obj_end = _object_person(sentence, end)
        if not person:
            return None
        end = obj_end
    return start, end


# ----------------------------------------------------------------------- masking

_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}(?=\s|$)")
_SETEXT_OR_RULE = re.compile(r"^[ \t]{0,3}(?:=+|-+|(?:[-*_][ \t]*){3,})[ \t\r]*$")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])(?=[ \t])")
_QUOTE = re.compile(r"^[ \t]*(?:>[ \t]?)+")
_TIME_ENTRY = re.compile(r"^[ \t]*(?:\*\*)?\d{1,2}:\d{2}")
_YAML_ENTRY = re.compile(r"^[ \t]*(?:-[ \t]|[\w.-]+[ \t]*:(?:[ \t]|$))")
_INLINE_MASKS = re.compile(
    r"(`+)[^`\n]+?\1"  # inline code
    r"|<!--|-->"  # comment markers, keeping the comment's words
    r"|\]\([^)\s]*(?:[ \t]+\"[^\"\n]*\")?\)"  # link targets
    r"|<https?://[^>\s]*>|\bhttps?://[^\s)>\]]+"  # URLs
    r"|</?[A-Za-z][^<>\n]*>"  # HTML tags
    r"|^[ \t]*\[[^\]\n]+\]:[ \t]*\S.*$"  # reference link definitions
    r"|[*~=\[\]]"  # emphasis, strike-through, highlight, link brackets
    r"|(?<!\w)_+|_+(?!\w)",  # underscore emphasis, not snake_case
    re.MULTILINE,
)
_HARD_BREAK = re.compile(r"(?:[ \t]{2,}|\\|<br\s*/?>)\r?$", re.IGNORECASE)
# Sentence ends: r"[.!?]+[\"'”’)\]]*(?=\s|$)|\|", written to start with one character
# class so that the regex engine skips ahead to candidates quickly.
_SENTENCE_END = re.compile(r"[.!?|](?:(?<=\|)|(?<=[.!?])[.!?]*[\"'”’)\]]*(?=\s|$))")


# Every _INLINE_MASKS match holds one of these; a line without any is left as is.
_INLINE_MASK_CHARS = re.compile(r"[`<>\[\]*~=_]|://")


def _blank(s: str) -> str:
    if "\r" not in s and "\n" not in s:
        return " " * len(s)
    return "".join(c if c in "\r\n" else " " for c in s)


def _mask_inline(s: str) -> str:
    if not _INLINE_MASK_CHARS.search(s):
        return s
    return _INLINE_MASKS.sub(lambda m: _blank(m.group()), s)


def _prepare(text: str) -> tuple[str, list[int], list[int]]:
    """Masked text (same length), line start offsets, and span break offsets."""
    lines = text.split("\n")
    line_starts: list[int] = []
    offset = 0
    for line in lines:
        line_starts.append(offset)
        offset += len(line) + 1

    masked_lines: list[str] = []
    breaks: list[int] = []
    fm_end = -1
    if lines and lines[0].lstrip("\ufeff").rstrip() == "---":
        for i in range(1, len(lines)):
            if lines[i].rstrip() in ("---", "..."):
                fm_end = i
                break

    fence: str | None = None
    previous_hard_break = True
    for i, line in enumerate(lines):
        start = line_starts[i]
        if fm_end >= 0 and i <= fm_end:
            if i in (0, fm_end):
                masked_lines.append(_blank(line))
                breaks.append(start)
                continue
            masked_lines.append(_mask_inline(line))
            if _YAML_ENTRY.match(line) or not line[:1].isspace():
                breaks.append(start)
            continue

        fence_match = _FENCE.match(line)
        if fence is not None:
            masked_lines.append(_blank(line))
            if fence_match is not None:
                closing = fence_match.group(1)
                rest = line[fence_match.end() :]
                if closing[0] == fence[0] and len(closing) >= len(fence) and not rest.strip():
                    fence = None
                    breaks.append(start + len(line) + 1)
            continue
        if fence_match:
            fence = fence_match.group(1)
            masked_lines.append(_blank(line))
            breaks.append(start)
            continue

        quote = _QUOTE.match(line)
        prefix = len(quote.group()) if quote else 0
        body = line[prefix:]
        starts_block = previous_hard_break or not body.strip()
        marker = 0
        if heading := _HEADING.match(body):
            marker = heading.end()
            starts_block = True
            breaks.append(start + len(line) + 1)  # a heading is its own span
        elif _SETEXT_OR_RULE.match(body):
            masked_lines.append(_blank(line))
            breaks.append(start)
            breaks.append(start + len(line) + 1)
            previous_hard_break = True
            continue
        elif item := _LIST_ITEM.match(body):
            marker = item.end()
            starts_block = True
        elif _TIME_ENTRY.match(body) or body.lstrip().startswith(("|", "<")):
            starts_block = True
        if starts_block:
            breaks.append(start)
        masked_body = _blank(body[:marker]) + _mask_inline(body[marker:])
        masked_lines.append(_blank(line[:prefix]) + masked_body)
        previous_hard_break = not body.strip() or bool(_HARD_BREAK.search(body))

    masked = "\n".join(masked_lines)
    assert len(masked) == len(text)
    return masked, line_starts, sorted(set(b for b in breaks if b <= len(text)))


def _sentence_bounds(masked: str, breaks: list[int]) -> list[tuple[int, int]]:
    """(start, end) of every sentence, in order; sentences never overlap."""
    found: list[tuple[int, int]] = []
    bounds = [0, *breaks, len(masked)]
    for lo, hi in zip(bounds, bounds[1:]):
        if lo >= hi:
            continue
        cursor = lo
        for end_mark in _SENTENCE_END.finditer(masked, lo, hi):
            if masked[cursor : end_mark.start()].strip():
                found.append((cursor, end_mark.end()))
            cursor = end_mark.end()
        if masked[cursor:hi].strip():
            found.append((cursor, hi))
    return found


def _sentences(masked: str, breaks: list[int]) -> Iterator[_Sentence]:
    for start, end in _sentence_bounds(masked, breaks):
        yield _Sentence(masked, start, end)


# ------------------------------------------------------------------ keyword gate
#
# Running all rules on every sentence is slow, and most sentences contain none of
# the words a rule needs. Each rule lists keyword groups (``_Rule.keywords``) that
# any of its matches must contain. A case-folded copy of the text is searched for
# them with plain substring search: once over the raw text (a file without a
# needed keyword skips masking altogether), then over the masked text to find the
# sentences that contain a rule's first group; only there do the remaining groups,
# the rule's prefilter and its pattern run. Masking only turns characters into
# spaces, and keywords hold no whitespace, so a keyword inside a masked sentence is
# also in the raw text at the same offset.

# Characters that ``re.IGNORECASE`` matches to an ASCII letter although
# ``str.lower`` does not turn them into it (dotted and dotless i, long s, Kelvin).
_FOLD_SPECIAL = (("\u0130", "i"), ("\u0131", "i"), ("\u017f", "s"), ("\u212a", "k"))


def _fold(text: str) -> str:
    """A same-length copy of ``text`` in which every character that a
    case-insensitive pattern would match to a lower-case ASCII letter is that
    letter; keywords (lower case) are then found with plain substring search."""
    if text.isascii():
        return text.lower()
    for special, letter in _FOLD_SPECIAL:
        if special in text:
            text = text.replace(special, letter)
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(low_c if len(low_c := c.lower()) == 1 else c for c in text)


def _check_keywords(rules: tuple[_Rule, ...]) -> None:
    """Keywords are compared with folded text and must survive masking."""
    for rule in rules:
        for group in rule.keywords:
            if not group or not all(w and w == _fold(w) and w.split() == [w] for w in group):
                raise ValueError(f"bad keyword group {group!r} for {rule.pattern.pattern!r}")


_check_keywords(_DEFAULT_RULES)

# A rule that may match in a text: the rule, its first keyword group (None: it
# has no keywords and runs everywhere) and its other groups.
_Plan = tuple[_Rule, "tuple[str, ...] | None", tuple[tuple[str, ...], ...]]


def _plan(rules: tuple[_Rule, ...], folded_text: str) -> list[_Plan]:
    """The rules whose keyword groups all occur in the text, in rule order."""
    # Keywords hold no whitespace, so each occurrence lies within one
    # whitespace-separated token: searching the distinct tokens is the same
    # test on a haystack a fraction of the size.
    haystack = "\n".join(set(folded_text.split()))
    present: dict[str, bool] = {}

    def occurs(group: tuple[str, ...]) -> bool:
        for word in group:
            found = present.get(word)
            if found is None:
                found = present[word] = word in haystack
            if found:
                return True
        return False

    plans: list[_Plan] = []
    for rule in rules:
        if not rule.keywords:
            plans.append((rule, None, ()))
        elif all(occurs(group) for group in rule.keywords):
            # The first group (the rarest, by convention) is scanned for; the
            # others are checked in each sentence that has it.
            plans.append((rule, rule.keywords[0], rule.keywords[1:]))
    return plans


def _candidates(
    plans: list[_Plan], folded: str, bounds: list[tuple[int, int]]
) -> dict[int, list[int]]:
    """Sentence index -> indices into ``plans`` (ascending) of the rules whose first
    keyword group occurs inside that sentence."""
    starts = [start for start, _ in bounds]
    found: dict[int, list[int]] = {}
    for plan_index, (_, first, _) in enumerate(plans):
        if first is None:
            for sentence_index in range(len(bounds)):
                found.setdefault(sentence_index, []).append(plan_index)
            continue
        hit: set[int] = set()
        for word in first:
            size = len(word)
            pos = folded.find(word)
            while pos >= 0:
                sentence_index = bisect_right(starts, pos) - 1
                if sentence_index >= 0 and pos + size <= bounds[sentence_index][1]:
                    hit.add(sentence_index)
                    # Later occurrences in this sentence add nothing.
                    pos = folded.find(word, bounds[sentence_index][1])
                else:
                    pos = folded.find(word, pos + 1)
        for sentence_index in hit:
            found.setdefault(sentence_index, []).append(plan_index)
    return found


# ------------------------------------------------------------------ user patterns


@lru_cache(maxsize=256)
def _compile_user_pattern(pattern: str, option: str = "extra") -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"invalid blame {option} pattern {pattern!r}: {exc}") from exc


def _collapse(s: str) -> str:
    return " ".join(s.split())


# ------------------------------------------------------------------------- public


def find_blame(text: str, phrases: BlamePhrases = BlamePhrases()) -> Iterator[BlameHit]:
    """Yield blaming wording in ``text``, ordered by position.

    At most one hit per sentence and line: a sentence with two blaming phrases on
    one line is one finding, two blaming sentences are two.
    """
    rules = _DEFAULT_RULES if phrases.use_defaults else ()
    extra = tuple(_compile_user_pattern(p, "extra") for p in phrases.extra)
    allow = tuple(_compile_user_pattern(p, "allow") for p in phrases.allow)

    plans = _plan(rules, _fold(text)) if rules else []
    if not plans and not extra:
        return  # no rule can match anywhere: skip masking
    masked, line_starts, breaks = _prepare(text)
    bounds = _sentence_bounds(masked, breaks)
    if plans:
        folded = _fold(masked)
        candidates = _candidates(plans, folded, bounds)
    else:
        folded, candidates = "", {}
    # User patterns run on every sentence; otherwise only candidates need a look.
    sentence_indices = range(len(bounds)) if extra else sorted(candidates)

    for sentence_index in sentence_indices:
        first, last = bounds[sentence_index]
        sentence = _Sentence(masked, first, last)
        spans: list[tuple[int, int, str]] = []
        for plan_index in candidates.get(sentence_index, ()):
            rule, _, others = plans[plan_index]
            if not all(any(folded.find(word, first, last) >= 0 for word in group) for group in others):
                continue
            if rule.gate is not None and not rule.gate.search(masked, first, last):
                continue
            if rule.prefilter is not None and not rule.prefilter.search(masked, first, last):
                continue
            for m in rule.pattern.finditer(masked, first, last):
                span = _apply(rule, sentence, m)
                if span is not None:
                    spans.append((*span, rule.hint))
                    break  # the earliest hit of each rule is enough
        if extra:
            sentence_text = masked[sentence.start : sentence.end]
            for pattern in extra:
                for m in pattern.finditer(sentence_text):
                    if m.group().strip():
                        lead = len(m.group()) - len(m.group().lstrip())
                        start = sentence.start + m.start() + lead
                        spans.append((start, sentence.start + m.end(), EXTRA_HINT))
                        break
        if not spans:
            continue
        if allow:
            original = _collapse(text[sentence.start : sentence.end])
            if any(p.search(original) for p in allow):
                continue
        seen_lines: set[int] = set()
        for start, end, hint in sorted(spans):
            line_index = bisect_right(line_starts, start) - 1
            if line_index in seen_lines:
                continue
            seen_lines.add(line_index)
            # Whitespace runs (double spaces, tabs, line breaks) and markup collapse
            # to one space, as BlameHit.phrase promises.
            phrase = _collapse(masked[start:end])
            yield BlameHit(
                line=line_index + 1,
                column=start - line_starts[line_index] + 1,
                phrase=phrase,
                hint=hint,
            )
