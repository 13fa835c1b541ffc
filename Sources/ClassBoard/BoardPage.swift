/// The board page, where the class is stuck first (what to explain next), then the class
/// table and the timeline: one HTML document with its style and script inline, no external resources.
/// The script listens to `/events` (server-sent events) and redraws the board from each
/// snapshot. It builds every element with `textContent`, never `innerHTML`, so a name or a check
/// a student's file carries is shown as text whatever it holds.
enum BoardPage {
    static let html = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>netlab class board</title>
        <style>
        body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
        h1 { margin: 0 0 .3rem; } h2 { margin-top: 1.6rem; }
        #status { color: #666; } #status.live::before { content: "● "; color: #2a2; } #status.down::before { content: "● "; color: #c22; }
        table { border-collapse: collapse; margin-top: .5rem; }
        th, td { border: 1px solid #ccc; padding: .25rem .55rem; text-align: center; }
        th.name, td.name, td.check { text-align: left; }
        td.pass { background: #dff5df; } td.fail { background: #fff2cc; } td.error { background: #f8d7da; } td.none { color: #999; }
        tr.first td { font-weight: bold; }
        .tries { color: #666; font-size: .8em; }
        #empty { color: #666; }
        ol#timeline { padding-left: 1.2rem; } ol#timeline li { margin: .15rem 0; }
        </style>
        </head>
        <body>
        <h1>netlab class board</h1>
        <div id="status" class="down">connecting…</div>
        <p id="empty">No results yet. Students post them with <code>netlab check N --submit URL</code>.</p>
        <h2>Where the class is stuck</h2>
        <div id="stuck"><p class="none">Nobody is stuck.</p></div>
        <h2>The class</h2>
        <table id="board" hidden><thead></thead><tbody></tbody></table>
        <h2>Latest results</h2>
        <ol id="timeline"></ol>
        <script>
        "use strict";
        function el(tag, text, cls) {
          const e = document.createElement(tag);
          if (text !== undefined) e.textContent = text;
          if (cls) e.className = cls;
          return e;
        }
        function two(n) { return (n < 10 ? "0" : "") + n; }
        function short(iso) { return iso ? iso.replace("T", " ").slice(0, 16) : "–"; }
        function render(s) {
          const board = document.getElementById("board");
          document.getElementById("empty").hidden = s.students.length > 0;
          board.hidden = s.students.length === 0;
          const head = el("tr");
          head.appendChild(el("th", "student", "name"));
          for (const l of s.lessons) { const th = el("th", two(l.number)); th.title = l.title; head.appendChild(th); }
          head.appendChild(el("th", "points"));
          head.appendChild(el("th", "latest (UTC)"));
          board.tHead.replaceChildren(head);
          const rows = [];
          for (const st of s.students) {
            const tr = el("tr");
            tr.appendChild(el("td", st.name, "name"));
            for (const l of s.lessons) {
              const c = st.cells[l.slug];
              if (!c) { tr.appendChild(el("td", "–", "none")); continue; }
              const text = c.status === "error" ? "error" : (c.status === "pass" ? "✓ " : "✗ ") + c.points + "/" + c.max;
              const td = el("td", text, c.status);
              if (c.attempts > 1) td.appendChild(el("span", " ×" + c.attempts, "tries"));
              td.title = "latest: " + short(c.latest) + " UTC, " + c.attempts + " attempt" + (c.attempts === 1 ? "" : "s");
              tr.appendChild(td);
            }
            tr.appendChild(el("td", st.points + "/" + st.max));
            tr.appendChild(el("td", short(st.latest)));
            rows.push(tr);
          }
          board.tBodies[0].replaceChildren(...rows);
          const stuck = document.getElementById("stuck");
          const parts = [];
          for (const l of s.stuck) {
            parts.push(el("h3", two(l.number) + " " + l.title + ": " + l.passed + " of " + l.took + " passed"));
            if (l.checks.length === 0) continue;
            const t = el("table");
            const h = el("tr");
            for (const name of ["check", "fail", "first"]) h.appendChild(el("th", name, name === "check" ? "name" : undefined));
            t.appendChild(h);
            for (const c of l.checks) {
              const tr = el("tr", undefined, c.name === l.mostOftenFirst ? "first" : undefined);
              tr.appendChild(el("td", c.name, "check"));
              tr.appendChild(el("td", String(c.failing)));
              tr.appendChild(el("td", String(c.first)));
              t.appendChild(tr);
            }
            parts.push(t);
          }
          if (parts.length === 0) parts.push(el("p", "Nobody is stuck.", "none"));
          stuck.replaceChildren(...parts);
          const items = s.timeline.map(e => el("li", short(e.at) + "  " + e.student + "  " + e.lesson + "  " + e.status + " " + e.points, e.status));
          document.getElementById("timeline").replaceChildren(...items);
          const status = document.getElementById("status");
          status.textContent = "live · " + s.results + " result" + (s.results === 1 ? "" : "s") + " · updated " + new Date().toLocaleTimeString();
          status.className = "live";
        }
        const events = new EventSource("/events");
        events.onmessage = e => render(JSON.parse(e.data));
        events.onerror = () => {
          const status = document.getElementById("status");
          status.textContent = "disconnected, reconnecting…";
          status.className = "down";
        };
        </script>
        </body>
        </html>

        """
}
