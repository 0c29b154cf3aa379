"""PMKB013 secret: the pure detector in pmkb.rules.secrets.

Every credential-looking value below is fake and assembled by concatenation, so
that this file does not itself trip secret scanners (including pmkb's own).
"""

from __future__ import annotations

import base64
import json
import os
import string
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pmkb.rules.secrets import SecretHit, SecretOptions, find_secrets, library_denylists, mask

# --------------------------------------------------------------------------------------
# Fake credentials


def _b64url(obj: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


AWS_KEY_ID = "AKIA" + "IOSFODNN7EXAMPLE"  # AWS's documented example
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG" + "/bPxRfiCYEXAMPLEKEY"  # AWS's documented example
GITHUB_TOKEN = "ghp_" + "a1B2" * 9
GITHUB_FINE_GRAINED = "github_pat_" + "11ABCDEFG0" + "a1B2c3" * 12
GITLAB_TOKEN = "glpat-" + "x1Y2z3" * 4
SLACK_TOKEN = "xoxb-" + "123456789012-1234567890123-" + "abcdEFGHijkl" * 2
SLACK_WEBHOOK = "https://hooks.slack.com/services/" + "T00000000/B00000000/" + "X" * 24
STRIPE_LIVE = "sk_" + "live_" + "4eC39HqLyjWDarjtT1zdp7dc"
STRIPE_TEST = "sk_" + "test_" + "4eC39HqLyjWDarjtT1zdp7dc"
STRIPE_RESTRICTED = "rk_" + "live_" + "4eC39HqLyjWDarjtT1zdp7dc"
GOOGLE_KEY = "AIza" + "SyA-1234567890abcdefghijklmnopqrstu"
JWT = (
    _b64url({"alg": "HS256", "typ": "JWT"})
    + "."
    + _b64url({"sub": "1234567890", "name": "Jane Doe"})
    + "."
    + "SflKxwRJSMeKKF2QT4fw"
    + "pMeJf36POk6yJV_adQssw5c"
)
PEM_BODY = "MIIEpAIBAAKCAQEA" + "3Tz2mr7SZiAMfQyuvBjM2JdZ" * 2
PEM_BLOCK = "\n".join(
    [
        "-----BEGIN RSA " + "PRIVATE KEY-----",
        PEM_BODY,
        "-----END RSA " + "PRIVATE KEY-----",
    ]
)
URL_PASSWORD = "S3cr3t" + "!pw9"
ASSIGNED_PASSWORD = "Pr0d-DB" + "-2024!"
BASIC_AUTH = base64.b64encode(("deploy:" + "Zq8xLmP2vK9w").encode()).decode()
OPAQUE_BEARER = "abcDEF123ghi" + "JKL456mnoPQR789"


def hits(text: str, options: SecretOptions = SecretOptions()) -> list[SecretHit]:
    return list(find_secrets(text, options))


def assert_masked(hit: SecretHit, secret: str) -> None:
    assert secret not in hit.masked
    if hit.masked != "****":
        assert hit.masked.endswith("…")
        shown = hit.masked[:-1]
        assert 0 < len(shown) <= 4
        assert secret.startswith(shown)


# --------------------------------------------------------------------------------------
# One positive per kind, with its line


POSITIVES = [
    pytest.param(f"export AWS_ACCESS_KEY_ID={AWS_KEY_ID}", AWS_KEY_ID, "AWS access key", "AKIA…", id="aws-key-id"),
    pytest.param(
        f"aws_secret_access_key = {AWS_SECRET}", AWS_SECRET, "AWS secret access key", "****", id="aws-secret-ini"
    ),
    pytest.param(
        f'"AWS_SECRET_ACCESS_KEY": "{AWS_SECRET}",', AWS_SECRET, "AWS secret access key", "****", id="aws-secret-json"
    ),
    pytest.param(
        f"git clone https://{GITHUB_TOKEN}@github.com/org/repo",
        GITHUB_TOKEN,
        "GitHub token",
        "ghp_…",
        id="github-classic",
    ),
    pytest.param(
        f"GH_TOKEN={GITHUB_FINE_GRAINED}", GITHUB_FINE_GRAINED, "GitHub token", "gith…", id="github-fine-grained"
    ),
    pytest.param(f"PRIVATE-TOKEN: {GITLAB_TOKEN}", GITLAB_TOKEN, "GitLab token", "glpa…", id="gitlab"),
    pytest.param(f"slack_bot: {SLACK_TOKEN}", SLACK_TOKEN, "Slack token", "xoxb…", id="slack-token"),
    # The secret part of a webhook is its path; the host is public.
    pytest.param(
        f"curl -X POST {SLACK_WEBHOOK} -d @payload.json",
        SLACK_WEBHOOK.split("/services/")[1],
        "Slack webhook URL",
        "T000…",
        id="slack-webhook",
    ),
    pytest.param(f"STRIPE_KEY={STRIPE_LIVE}", STRIPE_LIVE, "Stripe live secret key", "sk_l…", id="stripe-live"),
    pytest.param(f"stripe {STRIPE_TEST}", STRIPE_TEST, "Stripe test secret key", "sk_t…", id="stripe-test"),
    pytest.param(
        f"stripe {STRIPE_RESTRICTED}", STRIPE_RESTRICTED, "Stripe live restricted key", "rk_l…", id="stripe-restricted"
    ),
    pytest.param(f"GET /maps/api/geocode/json?key={GOOGLE_KEY}", GOOGLE_KEY, "Google API key", "AIza…", id="google"),
    pytest.param(f"Authorization: Bearer {JWT}", JWT, "JSON Web Token", "eyJh…", id="jwt"),
    pytest.param(
        f"DATABASE_URL=postgres://app:{URL_PASSWORD}@db.internal:5432/app",
        URL_PASSWORD,
        "password in connection URL",
        "****",
        id="url-password",
    ),
    pytest.param(
        f"redis://:{URL_PASSWORD}@cache:6379/0",
        URL_PASSWORD,
        "password in connection URL",
        "****",
        id="url-password-no-user",
    ),
    pytest.param(
        f"mysql -h db --password={ASSIGNED_PASSWORD} app",
        ASSIGNED_PASSWORD,
        "secret in assignment",
        "****",
        id="password-assignment",
    ),
    pytest.param(
        f'  DB_PASSWORD: "{ASSIGNED_PASSWORD}"', ASSIGNED_PASSWORD, "secret in assignment", "****", id="yaml-password"
    ),
    pytest.param(
        f"client_secret = '{URL_PASSWORD}x'", URL_PASSWORD, "secret in assignment", "****", id="client-secret"
    ),
    pytest.param(
        "x-api-key: " + "9f8e7d6c5b4a" + "39281706f5e4d3c2",
        "9f8e7d6c5b4a",
        "secret in assignment",
        "****",
        id="api-key-header",
    ),
    pytest.param("passwd:" + "Kx9#mQ2" + "vLp", "Kx9#mQ2", "secret in assignment", "****", id="passwd"),
    pytest.param("token: " + "t0k3n" + "-Zq8xLmP2vK9w", "t0k3n", "secret in assignment", "****", id="token"),
    pytest.param(
        '"access_token": "ya29.' + "a0AfH6SMBx3kQ9" + 'Zp2LmN8vR4tW"',
        "a0AfH6SMBx3kQ9",
        "secret in assignment",
        "****",
        id="oauth-token-json",
    ),
    pytest.param(
        "kubectl create secret generic db --from-literal=password='Xk2$9p" + "Lq!w'",
        "Xk2$9p",
        "secret in assignment",
        "****",
        id="kubectl-from-literal",
    ),
    pytest.param("Password: Summer" + "2024!", "Summer", "secret in assignment", "****", id="capitalised-key"),
    pytest.param(f"> Authorization: Basic {BASIC_AUTH}", BASIC_AUTH, "basic auth credentials", "****", id="basic-auth"),
    pytest.param(
        f"-H 'Authorization: Bearer {OPAQUE_BEARER}'", OPAQUE_BEARER, "bearer token", "****", id="opaque-bearer"
    ),
]


@pytest.mark.parametrize(("line", "secret", "kind", "masked"), POSITIVES)
def test_each_kind_is_found_on_its_line(line: str, secret: str, kind: str, masked: str) -> None:
    text = "# Incident\n\nSome prose.\n" + line + "\nMore prose.\n"
    found = hits(text)
    assert [(h.line, h.kind, h.masked) for h in found] == [(4, kind, masked)]
    assert_masked(found[0], secret)


def test_private_key_block_is_reported_on_its_begin_line() -> None:
    text = "intro\n```\n" + PEM_BLOCK + "\n```\n"
    found = hits(text)
    assert [(h.line, h.kind, h.masked) for h in found] == [(3, "private key", "****")]


def test_every_private_key_marker_detect_secrets_knows_is_covered() -> None:
    # Our armour regex is our own; detect-secrets' marker list is the reference.
    from detect_secrets.plugins.private_key import PrivateKeyDetector

    for pattern in PrivateKeyDetector.denylist:
        marker = pattern.pattern
        if marker.startswith("PuTTY"):
            line = marker + ": ssh-rsa"
        elif "SSH2" in marker:
            line = "---- " + marker + " ----"
        else:
            line = "-----" + marker + "-----"
        assert [h.kind for h in hits(line + "\n" + PEM_BODY)] == ["private key"], marker


@pytest.mark.parametrize(
    "token",
    [AWS_KEY_ID, GITHUB_TOKEN, GITLAB_TOKEN, SLACK_TOKEN, SLACK_WEBHOOK, STRIPE_LIVE, JWT],
)
def test_fake_tokens_are_well_formed_for_detect_secrets(token: str) -> None:
    # Guards the fixtures: a positive above must be a real positive for the
    # maintained upstream patterns too, not just for ours.
    from detect_secrets.plugins.aws import AWSKeyDetector
    from detect_secrets.plugins.github_token import GitHubTokenDetector
    from detect_secrets.plugins.gitlab_token import GitLabTokenDetector
    from detect_secrets.plugins.jwt import JwtTokenDetector
    from detect_secrets.plugins.slack import SlackDetector
    from detect_secrets.plugins.stripe import StripeDetector

    plugins = [
        AWSKeyDetector(),
        GitHubTokenDetector(),
        GitLabTokenDetector(),
        SlackDetector(),
        StripeDetector(),
        JwtTokenDetector(),
    ]
    assert any(list(p.analyze_string(token)) for p in plugins)


def test_specific_kind_wins_over_generic_assignment() -> None:
    found = hits(f"api_key={STRIPE_LIVE}\ntoken: {JWT}\nAWS_ACCESS_KEY={AWS_KEY_ID}")
    assert [(h.line, h.kind) for h in found] == [
        (1, "Stripe live secret key"),
        (2, "JSON Web Token"),
        (3, "AWS access key"),
    ]


def test_several_secrets_on_one_line_are_separate_hits_in_column_order() -> None:
    found = hits(f"keys: {GITHUB_TOKEN} and {AWS_KEY_ID}")
    assert [h.kind for h in found] == ["GitHub token", "AWS access key"]


# --------------------------------------------------------------------------------------
# Negatives


NEGATIVES = [
    pytest.param("deployed 3f9a2b7c1d4e5f60718293a4b5c6d7e8f9012345 (3f9a2b7) to prod", id="git-sha"),
    pytest.param("request_id=123e4567-e89b-12d3-a456-426614174000", id="uuid"),
    pytest.param("2024-03-05T10:02:00.123+01:00 started; 2024-03-05T10:02:00Z", id="timestamps"),
    pytest.param("image: registry.example.com/checkout@sha256:" + "9b2c" * 16, id="sha256-digest"),
    pytest.param("digest=sha256:" + "e3b0c44298fc1c149afbf4c8996fb924" * 2, id="sha256-bare"),
    pytest.param("see https://tracker.example.com/browse/OPS-1423", id="ticket-url"),
    pytest.param("fix: https://github.com/org/repo/commit/3f9a2b7c1d4e5f60718293a4b5c6d7e8f9012345", id="commit-url"),
    pytest.param("https://grafana.example/d/abc123XYZ/checkout-latency?orgId=1&from=now-6h", id="grafana-url"),
    pytest.param("kubectl logs checkout-api-7d9f8c6b5-x2kqp -c app", id="pod-name"),
    pytest.param("sha512-" + "AKIAIOSFODNN7EXAMPLEQ+" + "x9Zb4Lk2==", id="base64-integrity"),
    pytest.param("layer: " + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo" * 3, id="base64-blob"),
    pytest.param("password: ********", id="password-stars"),
    pytest.param("password=<redacted>", id="password-redacted"),
    pytest.param("token: REDACTED", id="token-redacted-word"),
    pytest.param("api_key: [REDACTED]", id="api-key-brackets"),
    pytest.param("secret: payments-db-creds-v2", id="secret-name"),
    pytest.param("password: dbPasswordFromVault", id="camel-case-name"),
    pytest.param("token: ${{ secrets.DEPLOY_TOKEN }}", id="ci-template"),
    pytest.param("DB_PASSWORD=$DB_PASSWORD", id="env-reference"),
    pytest.param("password: settings.DB_PASSWORD", id="dotted-reference"),
    pytest.param("password_file: /etc/secrets/db-password", id="path"),
    pytest.param("The password: was rotated, token: expired, secret: unchanged.", id="prose"),
    pytest.param("secretName: db-creds\ntoken_url: https://auth.example/token\ntokens: 5", id="keyword-in-other-keys"),
    pytest.param('error="password authentication failed for user app"', id="log-message"),
    pytest.param("ssh://git@github.com:22/org/repo and git@github.com:org/repo.git", id="git-urls"),
    pytest.param("http://[::1]:8080/healthz and https://example.com:8443/path", id="ports"),
    pytest.param("-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIE\n-----END CERTIFICATE-----", id="certificate"),
    pytest.param("ghp_ tokens were rotated; AKIA keys too", id="prefixes-alone"),
    pytest.param("Authorization: Bearer <token>", id="bearer-placeholder"),
    pytest.param("token = self.get_token()\ntoken = tokens[idx]\ntoken = Operator", id="code-token"),
    pytest.param("def login(user: str, password: Optional[str] = None) -> None:", id="code-annotation"),
    pytest.param('print(f"password={password!r}")  # token={len(self.tokens)}', id="code-format"),
    pytest.param('password: "{{ vault_db_password }}"', id="ansible-template"),
    pytest.param("export GITHUB_TOKEN=$(gh auth token)", id="command-substitution"),
    pytest.param("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 deploy@bastion", id="ssh-public-key"),
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_no_false_positive(text: str) -> None:
    assert hits(text) == []


@pytest.mark.parametrize(
    "password",
    [
        "****",
        "xxx",
        "XXXXXXXX",
        "<password>",
        "${DB_PASSWORD}",
        "$PASSWORD",
        "%s",
        "%(password)s",
        "{password}",
        "{{ .Values.db.password }}",
        "password",
        "[REDACTED]",
        "...",
    ],
)
def test_placeholder_passwords_in_connection_urls_are_ignored(password: str) -> None:
    assert hits(f"postgres://app:{password}@db.internal:5432/app") == []


@pytest.mark.parametrize("value", ["hunter2", "Ab1!", "aaaaaaaaaaaaaaaa", "1111111111"])
def test_short_or_low_entropy_assignments_are_ignored(value: str) -> None:
    assert hits(f"password={value}") == []


def test_git_sha_next_to_aws_words_is_not_a_secret_key() -> None:
    assert hits("aws key rotation commit=3f9a2b7c1d4e5f60718293a4b5c6d7e8f9012345") == []


# --------------------------------------------------------------------------------------
# Suppression: inline marker and allow regexes


def test_inline_marker_skips_its_line() -> None:
    text = f"AWS docs example: {AWS_KEY_ID} <!-- pmkb: allow-secret -->\nreal one: {GITHUB_TOKEN}\n"
    assert [(h.line, h.kind) for h in hits(text)] == [(2, "GitHub token")]


@pytest.mark.parametrize(
    "comment",
    [
        "<!-- pmkb: allow-secret -->",
        "  # pmkb: allow-secret",
        "<!-- pmkb: allow-secret docs example -->",
        "// pmkb:allow-secret",
    ],
)
def test_comment_only_line_skips_the_next_line_only(comment: str) -> None:
    text = f"{comment}\n{AWS_KEY_ID}\n{AWS_KEY_ID}\n"
    assert [h.line for h in hits(text)] == [3]


def test_marker_after_content_does_not_skip_the_next_line() -> None:
    text = f"prose # pmkb: allow-secret\n{AWS_KEY_ID}\n"
    assert [h.line for h in hits(text)] == [2]


def test_comment_only_line_skips_a_private_key_block() -> None:
    text = "```\n# pmkb: allow-secret\n" + PEM_BLOCK + "\n```\n"
    assert hits(text) == []


def test_allow_regexes_ignore_matching_values_only() -> None:
    text = f"{AWS_KEY_ID}\n{GITHUB_TOKEN}\npostgres://postgres:postgres@localhost/db\n"
    options = SecretOptions(allow=(r"EXAMPLE$", r"^postgres$"))
    assert [(h.line, h.kind) for h in hits(text, options)] == [(2, "GitHub token")]
    assert len(hits(text)) == 3


def test_allow_regex_also_silences_the_generic_assignment_of_that_value() -> None:
    options = SecretOptions(allow=("EXAMPLE",))
    assert hits(f"aws_access_key_id={AWS_KEY_ID}", options) == []


def test_invalid_allow_regex_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="allow pattern"):
        hits(AWS_KEY_ID, SecretOptions(allow=("(unclosed",)))


# --------------------------------------------------------------------------------------
# A whole document


DOCUMENT = f"""---
id: 2024-03-05-checkout
title: Checkout 503s after config push
severity: SEV-1
started_at: 2024-03-05T10:02:00Z
services: [checkout-api]
notes: "webhook was {SLACK_WEBHOOK}"
---

## Summary

Deploy 3f9a2b7 pushed a config with a plaintext credential.

## Timeline

- 10:02 deploy of 3f9a2b7c1d4e5f60718293a4b5c6d7e8f9012345 started
- 10:05 page; see https://tracker.example.com/browse/OPS-1423

```text
2024-03-05T10:05:01Z pod=checkout-api-7d9f8c6b5-x2kqp msg="connecting" dsn=postgres://checkout:{URL_PASSWORD}@db:5432/checkout
2024-03-05T10:05:02Z pod=checkout-api-7d9f8c6b5-x2kqp password=******** token=REDACTED
2024-03-05T10:05:03Z image=registry.example.com/checkout@sha256:{"ab12" * 16}
<!-- pmkb: allow-secret -->
2024-03-05T10:05:04Z example key {AWS_KEY_ID}
2024-03-05T10:05:05Z env GITHUB_TOKEN={GITHUB_TOKEN}
```

## Root Cause

The key below was committed:

```
{PEM_BLOCK}
```
"""


def test_document_with_front_matter_and_log_block() -> None:
    found = hits(DOCUMENT)
    assert [(h.line, h.kind) for h in found] == [
        (7, "Slack webhook URL"),
        (20, "password in connection URL"),
        (25, "GitHub token"),
        (33, "private key"),
    ]
    for hit in found:
        for secret in (SLACK_WEBHOOK, URL_PASSWORD, GITHUB_TOKEN, PEM_BODY):
            assert secret not in hit.masked


def test_crlf_line_endings_and_non_ascii_text_keep_lines_and_values() -> None:
    # U+0130 lower-cases to two characters; offsets into the text must not drift.
    text = f"İstanbul ünïcödé\r\naws_secret_access_key = {AWS_SECRET}\r\n{GITHUB_TOKEN}\r\n"
    assert [(h.line, h.kind) for h in hits(text)] == [
        (2, "AWS secret access key"),
        (3, "GitHub token"),
    ]


def test_empty_text() -> None:
    assert hits("") == []


# --------------------------------------------------------------------------------------
# Masking never reveals a secret


_ALNUM = string.ascii_letters + string.digits
_UPPER_DIGITS = string.ascii_uppercase + string.digits
# No URL delimiters and no characters that make a value read as a placeholder.
_PASSWORD_CHARS = "".join(c for c in _ALNUM + "!^&()+=,;~" if c not in "xX")

_tokens = st.one_of(
    st.text(_UPPER_DIGITS, min_size=16, max_size=16).map(lambda s: "AKIA" + s),
    st.tuples(
        st.sampled_from(["ghp", "gho", "ghu", "ghs", "ghr"]), st.text(_ALNUM + "_", min_size=36, max_size=36)
    ).map(lambda t: t[0] + "_" + t[1]),
    st.text(_ALNUM + "_", min_size=59, max_size=82).map(lambda s: "github_pat_" + s),
    st.text(_ALNUM, min_size=20, max_size=50).map(lambda s: "glpat-" + s),
    st.tuples(
        st.sampled_from("abpors"),
        st.integers(1, 10**12),
        st.integers(1, 10**12),
        st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=32),
    ).map(lambda t: f"xox{t[0]}-{t[1]}-{t[2]}-{t[3]}"),
    st.tuples(
        st.sampled_from(["sk", "rk"]), st.sampled_from(["live", "test"]), st.text(_ALNUM, min_size=24, max_size=99)
    ).map(lambda t: f"{t[0]}_{t[1]}_{t[2]}"),
    st.text(_ALNUM + "_-", min_size=35, max_size=35).map(lambda s: "AIza" + s),
)
_passwords = st.text(_PASSWORD_CHARS, min_size=1, max_size=40)
_lines_before = st.lists(st.sampled_from(["", "prose", "```", "- item", "---"]), max_size=5)


@settings(max_examples=300, deadline=None, database=None)
@given(token=_tokens, before=_lines_before)
def test_typed_tokens_are_found_and_never_revealed(token: str, before: list[str]) -> None:
    text = "\n".join([*before, f"leaked: {token} (rotated)", "after"])
    found = hits(text)
    assert [h.line for h in found] == [len(before) + 1]
    assert_masked(found[0], token)


@settings(max_examples=300, deadline=None, database=None)
@given(password=_passwords, user=st.text(_ALNUM, max_size=8))
def test_url_passwords_are_never_revealed(password: str, user: str) -> None:
    found = hits(f"dsn=postgresql://{user}:{password}@db.internal:5432/app")
    # Letters alone may spell a placeholder word ("test", "foo"); anything else counts.
    if password.isalpha() or len(set(password.strip("()"))) < 2:
        assert len(found) <= 1
    else:
        assert len(found) == 1
    for hit in found:
        assert_masked(hit, password)
        assert hit.masked == "****"


@settings(max_examples=300, deadline=None, database=None)
@given(
    value=st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters=" \t\r\n\"'`&"), min_size=1, max_size=60
    ),
    key=st.sampled_from(["password", "DB_PASSWORD", "secret", "api_key", "token", "passwd"]),
    sep=st.sampled_from(["=", ": ", " = ", ":="]),
)
def test_assignments_are_never_revealed(value: str, key: str, sep: str) -> None:
    for hit in hits(f"{key}{sep}{value}"):
        assert hit.masked == "****" or value not in hit.masked


@settings(database=None)
@given(value=st.text(st.characters(blacklist_characters="*…"), min_size=1, max_size=200), reveal=st.integers(0, 10))
def test_mask_keeps_at_most_four_leading_characters(value: str, reveal: int) -> None:
    masked = mask(value, reveal)
    assert value not in masked
    if masked != "****":
        assert masked.endswith("…")
        assert len(masked) - 1 <= 4
        assert value.startswith(masked[:-1])


# --------------------------------------------------------------------------------------
# Speed


def _megabyte_of_postmortems() -> str:
    block = f"""
## Timeline

- 2024-03-05T10:02:00Z deploy 3f9a2b7c1d4e5f60718293a4b5c6d7e8f9012345, https://tracker.example.com/browse/OPS-1423
- dashboards https://grafana.example/d/abc123XYZ/checkout?orgId=1 ; the password: was rotated.

```
2024-03-05T10:02:01.123Z pod=checkout-api-7d9f8c6b5-x2kqp request_id=123e4567-e89b-12d3-a456-426614174000
image: registry.example.com/checkout@sha256:{"9b2c" * 16} password: ******** token: REDACTED
DATABASE_URL=postgres://app:${{DB_PASSWORD}}@db:5432/app level=error msg="upstream timeout"
```
"""
    return ("---\ntitle: Big\n---\n" + block * (1_000_000 // len(block) + 1))[:1_000_000]


def test_one_megabyte_of_look_alikes_has_only_the_real_token() -> None:
    # Speed is measured in benchmarks/bench_secrets.py, not asserted here.
    text = _megabyte_of_postmortems() + f"\n{GITHUB_TOKEN}\n"
    found = hits(text)
    assert [h.kind for h in found] == ["GitHub token"]
    assert found[0].line == text.count("\n")


# --------------------------------------------------------------------------------------
# detect-secrets' patterns, kept in the user's cache folder

_SCAN_IN_A_FRESH_PROCESS = f"""
import sys
from pmkb.rules.secrets import find_secrets
found = [hit.kind for hit in find_secrets("key: {AWS_KEY_ID} and token {GITLAB_TOKEN} and {SLACK_TOKEN}")]
print(found, "detect_secrets" in sys.modules)
"""


def _scan_in_a_fresh_process(cache_home: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-c", _SCAN_IN_A_FRESH_PROCESS],
        env={**os.environ, "XDG_CACHE_HOME": str(cache_home)},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_detect_secrets_patterns_are_kept_and_read_back_without_importing_it(tmp_path: Path) -> None:
    found = "['AWS access key', 'GitLab token', 'Slack token']"
    assert _scan_in_a_fresh_process(tmp_path) == f"{found} True"
    (memo,) = (tmp_path / "pmkb").glob("detect-secrets-*-patterns.json")
    assert json.loads(memo.read_text(encoding="utf-8")) == json.loads(json.dumps(library_denylists()))
    assert _scan_in_a_fresh_process(tmp_path) == f"{found} False"
    # A damaged or tampered memo is not used: the library is read and the memo written again.
    kept = json.loads(memo.read_text(encoding="utf-8"))
    damaged = (
        "{not json",
        json.dumps({**kept, "aws": [["(", 0]]}),
        json.dumps({**kept, "slack": kept["slack"][:1]}),
        json.dumps({**kept, "github_token": [["ghp_", "i"]]}),
        json.dumps({"aws": kept["aws"]}),
    )
    for damage in damaged:
        memo.write_text(damage, encoding="utf-8")
        assert _scan_in_a_fresh_process(tmp_path) == f"{found} True"
        assert json.loads(memo.read_text(encoding="utf-8")) == json.loads(json.dumps(library_denylists()))
