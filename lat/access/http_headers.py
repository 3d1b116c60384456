"""The security headers of LAT's web servers: the dashboard (Flask) and the LRS (werkzeug).

What each header is for (docs/security.md has the table):

- ``Content-Security-Policy``: scripts, styles, images and connections only from the site
  itself, so markup injected into a page cannot load or run anything from elsewhere;
  ``frame-ancestors 'none'`` (and the older ``X-Frame-Options: DENY``) keeps every page out of
  other sites' frames (clickjacking of the login and logout forms);
- ``X-Content-Type-Options: nosniff``: a browser takes a CSV download or a JSON answer for what
  it says it is, never for HTML or a script;
- ``Referrer-Policy: no-referrer``: addresses with filters (a school id in ``?school=``) are not
  sent to other sites;
- ``Cache-Control: no-store`` on everything that holds data or depends on who is signed in, so
  neither the browser nor a proxy keeps a copy (pages, layout, callbacks, downloads, errors).
"""

from __future__ import annotations

from collections.abc import Mapping

# Dash 4 renders in the browser with React and plotly.js, which is what this policy allows
# (checked by tests/browser/, which fails on any console error, CSP violations included):
# - script-src 'self' plus the hashes of Dash's own inline scripts (given per app, see
#   dashboard_csp): no 'unsafe-inline' and no 'unsafe-eval' for scripts;
# - style-src 'unsafe-inline': plotly.js writes its styles into <style> elements at run time
#   and React sets style attributes; inline styles cannot run code;
# - img-src data: and blob:: plotly's mode-bar icons and image exports.
_DASHBOARD_CSP = (
    "default-src 'self'; script-src 'self'{hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# The LRS answers JSON (and attachments): nothing in it is ever to be run or framed by a browser.
API_CSP = "default-src 'none'; frame-ancestors 'none'"

# Dash's static files (its JavaScript libraries, the app's stylesheet and icon): no data in
# them, so the caching Dash chose for them stays; everything else gets no-store.
STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon.ico")

COMMON: Mapping[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
NO_STORE = "no-store"


def dashboard_csp(script_hashes: list[str] | tuple[str, ...] = ()) -> str:
    """The dashboard's Content-Security-Policy; ``script_hashes`` are CSP sources such as
    ``'sha256-…'`` of inline scripts the app writes itself (Dash's ``app.csp_hashes()``)."""
    return _DASHBOARD_CSP.format(hashes="".join(f" {h}" for h in script_hashes))


def api_headers() -> dict[str, str]:
    """Every LRS response: nosniff, no framing, nothing cached, nothing to run."""
    return {**COMMON, "Content-Security-Policy": API_CSP, "Cache-Control": NO_STORE}
