"""axe-core checks of the page a journey has just reached.

axe runs inside the page through Playwright's `evaluate`, which uses the DevTools protocol and is
not subject to the page's Content-Security-Policy (script-src 'self'), so the journeys check the
pages exactly as the service serves them, CSP included: no `bypass_csp` context is needed.
"""

from axe_playwright_python.sync_playwright import Axe

# WCAG 2.2 AA, which NHS services must meet (WCAG 2.0 and 2.1 A and AA rules are part of it).
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}

_axe = Axe()


def blocking_violations(page):
    """axe's serious and critical WCAG 2.2 AA violations on the page as it is now."""
    options = {"runOnly": {"type": "tag", "values": WCAG_AA_TAGS}, "resultTypes": ["violations"]}
    results = _axe.run(page, options=options)
    return [
        violation
        for violation in results.response["violations"]
        if violation.get("impact") in BLOCKING_IMPACTS
    ]


def describe(violations):
    lines = []
    for violation in violations:
        lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['html'][:160]}")
    return "\n".join(lines)


def assert_accessible(page, name):
    violations = blocking_violations(page)
    assert not violations, (
        f"axe found serious or critical WCAG 2.2 AA violations on {name} ({page.url}):\n"
        + describe(violations)
    )
