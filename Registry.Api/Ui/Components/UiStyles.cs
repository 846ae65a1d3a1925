namespace Registry.Api.Ui.Components;

/// <summary>The UI's only stylesheet, inlined into every page (small, and one request fewer).</summary>
public static class UiStyles
{
    public const string Css = """
        :root { --bg:#fff; --fg:#1b1f24; --muted:#57606a; --line:#d0d7de; --accent:#0a58ca; --soft:#f6f8fa; --danger:#b3261e; }
        @media (prefers-color-scheme: dark) {
          :root { --bg:#0d1117; --fg:#e6edf3; --muted:#9da7b3; --line:#30363d; --accent:#6cb6ff; --soft:#161b22; --danger:#ff7b72; }
        }
        * { box-sizing: border-box; }
        body { margin:0; font:15px/1.5 system-ui, sans-serif; background:var(--bg); color:var(--fg); }
        a { color:var(--accent); }
        a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible { outline:3px solid var(--accent); outline-offset:2px; }
        .skip { position:absolute; left:-999px; } .skip:focus { left:8px; top:8px; background:var(--bg); padding:4px 8px; }
        header { display:flex; gap:24px; align-items:center; padding:10px 24px; border-bottom:1px solid var(--line); background:var(--soft); flex-wrap:wrap; }
        header .brand { font-weight:700; text-decoration:none; color:var(--fg); }
        header nav ul { display:flex; gap:16px; list-style:none; margin:0; padding:0; }
        header .who { margin-left:auto; display:flex; gap:12px; align-items:center; }
        main { padding:16px 24px; max-width:1200px; }
        h1 { font-size:1.5rem; margin:8px 0 16px; word-break:break-all; } h2 { font-size:1.15rem; margin-top:28px; }
        table { border-collapse:collapse; width:100%; margin:8px 0; }
        th, td { text-align:left; padding:6px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
        th { font-weight:600; color:var(--muted); }
        code, pre { font-family:ui-monospace, monospace; font-size:13px; }
        pre { background:var(--soft); border:1px solid var(--line); padding:8px; overflow-x:auto; white-space:pre-wrap; word-break:break-all; }
        input, select, button { font:inherit; color:inherit; background:var(--bg); border:1px solid var(--line); border-radius:6px; padding:5px 10px; }
        button { cursor:pointer; background:var(--soft); } button.danger { color:var(--danger); border-color:var(--danger); }
        label { display:block; margin:8px 0 2px; font-weight:600; }
        .muted { color:var(--muted); } .error { color:var(--danger); font-weight:600; }
        .notice { border:1px solid var(--accent); padding:8px 12px; border-radius:6px; margin:12px 0; }
        .pager { display:flex; gap:16px; margin:12px 0; } .inline { display:inline; }
        form.search { display:flex; gap:8px; align-items:end; margin-bottom:12px; }
        """;
}
