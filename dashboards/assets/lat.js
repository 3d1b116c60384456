/* LAT dashboard, in the browser. Loaded by Dash from assets/ as a file, so the Content-Security-
   Policy's script-src 'self' covers it (no inline script). See docs/accessibility.md. */

window.dash_clientside = Object.assign({}, window.dash_clientside, {
    lat: {
        // The router's document {title, lang}: Dash renders only inside <body>, so the tab's
        // title and <html lang> are set here when the page or the language changes.
        document: function (meta) {
            if (meta) {
                document.title = meta.title;
                document.documentElement.lang = meta.lang;
            }
        },
    },
});

/* Dash's DataTable draws its page buttons (first, previous, next, last) as bare icons and the
   page field without a label, and offers no property to name them. Each table's wrapper
   carries the names in the page's language (components.table: data-first-page, ...); they are
   copied onto the controls whenever the tables change. */
(function () {
    var CONTROLS = ["first-page", "previous-page", "next-page", "last-page", "current-page"];

    function name(root) {
        root.querySelectorAll(".previous-next-container").forEach(function (bar) {
            var wrap = bar.closest("[data-first-page]");
            if (!wrap) {
                return;
            }
            CONTROLS.forEach(function (control) {
                var element = bar.querySelector("button." + control + ", input." + control);
                var label = wrap.getAttribute("data-" + control);
                if (element && label && element.getAttribute("aria-label") !== label) {
                    element.setAttribute("aria-label", label);
                }
            });
        });
    }

    new MutationObserver(function () {
        name(document);
    }).observe(document.documentElement, {childList: true, subtree: true});
})();

/* Tab on a link inside a DataTable cell (the drill-down school names) reaches the table's own
   key handler, which swallows it to move a cell selection: focus never leaves the link (a
   keyboard trap; cell_selectable=False does not stop it). Such a Tab is kept from the table, so
   the browser moves focus on as everywhere else. */
document.addEventListener(
    "keydown",
    function (event) {
        if (event.key === "Tab" && event.target instanceof Element && event.target.closest(".dash-spreadsheet td a")) {
            event.stopPropagation();
        }
    },
    true
);
