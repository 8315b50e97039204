"""Keeps docs/bad-input.md true: every directive row of its table must
make `apache2 -t` fail with exactly the message the table gives."""

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "bad-input.md"


def directive_rows():
    text = DOC.read_text().split("## Directives", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in text.splitlines():
        m = re.match(r"\| `(.+)` \| `(.+)` \|$", line)
        if m:
            config = "\n".join(part.strip("`") for part in
                               m.group(1).split("`⏎`"))
            rows.append((config, m.group(2)))
    return rows


ROWS = directive_rows()


def test_the_table_is_not_empty():
    assert len(ROWS) >= 10


@pytest.mark.parametrize("config,message", ROWS,
                         ids=[r[0].splitlines()[0][:40] for r in ROWS])
def test_bad_value_fails_configtest(make_httpd, config, message):
    h = make_httpd()
    h.write_config(config + "\n")
    proc = h.configtest()
    assert proc.returncode != 0, "configtest accepted:\n" + config
    assert message in proc.stderr, proc.stderr
