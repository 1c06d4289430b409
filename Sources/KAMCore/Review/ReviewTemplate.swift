/// The review pack's Mustache templates and style sheet (rendered by ``ReviewPack``). `{{x}}`
/// escapes; `{{{x}}}` is used only for charts, which ``SVG`` escaped as it built them.
enum ReviewTemplate {
    /// A ``ReviewPage/Table``, or its text for no rows (the partial `{{> table}}`).
    static let table = """
        {{^isEmpty}}
        <table><colgroup>{{#widths}}<col style="width:{{.}}%">{{/widths}}</colgroup><thead><tr>{{#headers}}<th{{#numeric}} class="num"{{/numeric}}>{{text}}</th>{{/headers}}</tr></thead>
        <tbody>{{#rows}}<tr>{{#cells}}<td{{#numeric}} class="num"{{/numeric}}>{{text}}</td>{{/cells}}</tr>{{/rows}}</tbody></table>
        {{/isEmpty}}{{#isEmpty}}<p>{{emptyText}}</p>{{/isEmpty}}
        """

    static let page = """
        <!DOCTYPE html>
        <html lang="{{lang}}">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{labels.pageTitle}} · {{pipeline}} · {{asOf}}</title>
        <style>
        \(style)
        </style>
        </head>
        <body>
        <header class="cover">
          <p class="lang"><a href="{{otherFile}}" hreflang="{{otherLang}}">{{otherName}}</a></p>
          <h1>{{labels.pageTitle}}</h1>
          <p class="meta">{{pipeline}} · {{labels.asOf}} {{asOf}} · kam {{toolVersion}}</p>
          <nav><h2>{{labels.contents}}</h2><ol>
            <li><a href="#headline">{{labels.headline}}</a></li>
            <li><a href="#concentration">{{labels.concentration}}</a></li>
            <li><a href="#tiers">{{labels.tiers}}</a></li>
            <li><a href="#portfolio">{{labels.portfolio}}</a></li>
            <li><a href="#health">{{labels.health}}</a></li>
            <li><a href="#key-accounts">{{labels.keyAccounts}}</a></li>
            {{#accountPages}}<li class="sub"><a href="#{{anchor}}">{{name}}</a></li>{{/accountPages}}
          </ol></nav>
        </header>
        <main>
        <section id="headline">
          <h2>{{labels.headline}}</h2>
          <div class="tiles">
          {{#tiles}}
            <div class="tile"><div class="tile-name">{{name}}</div><div class="tile-value">{{value}}</div>
            <div class="tile-change {{trend}}">{{labels.quarterEnd}}: {{quarterEnd}} · {{labels.change}}: {{change}}</div></div>
          {{/tiles}}
          </div>
          {{^quarterEndAsOf}}<p class="note">{{labels.noQuarterEnd}}</p>{{/quarterEndAsOf}}
          {{#quarterEndAsOf}}<p class="note">{{labels.quarterEnd}}: {{.}}</p>{{/quarterEndAsOf}}
        </section>
        <section id="concentration">
          <h2>{{labels.concentration}}</h2>
          <p class="note">{{labels.concentrationText}}</p>
          <figure>{{{paretoChart}}}</figure>
          <dl class="facts">{{#concentrationFacts}}<dt>{{label}}</dt><dd>{{value}}</dd>{{/concentrationFacts}}</dl>
        </section>
        <section id="tiers">
          <h2>{{labels.tiers}}</h2>
          <div class="pair">{{#tierCharts}}<figure>{{{.}}}</figure>{{/tierCharts}}</div>
          {{#migrationChart}}<figure>{{{.}}}</figure>{{/migrationChart}}
          {{^migrationChart}}<h3>{{labels.migrationTitle}}</h3><p class="note">{{labels.noMigration}}</p>{{/migrationChart}}
        </section>
        <section id="portfolio">
          <h2>{{labels.portfolio}}</h2>
          <figure>{{{scatterChart}}}</figure>
          <p class="note">{{labels.quadrantRule}}</p>
        </section>
        <section id="health">
          <h2>{{labels.health}}</h2>
          {{#healthChart}}<figure>{{{.}}}</figure>{{/healthChart}}
          {{^hasInteractions}}<p class="note">{{labels.noInteractions}}</p>{{/hasInteractions}}
          <h3>{{labels.atRisk}}</h3>
          <p class="note">{{labels.atRiskRule}}</p>
          {{#atRisk}}{{> table}}{{/atRisk}}
        </section>
        <section id="key-accounts">
          <h2>{{labels.keyAccounts}}</h2>
          <p class="note">{{labels.keyAccountsRule}}</p>
          {{#keyAccounts}}{{> table}}{{/keyAccounts}}
        </section>
        {{#accountPages}}
        <section class="account" id="{{anchor}}">
          <p class="kicker">{{labels.accountPage}}</p>
          <h2>{{name}} <span class="id">{{accountId}}</span></h2>
          <dl class="facts">{{#facts}}<dt>{{label}}</dt><dd>{{value}}</dd>{{/facts}}</dl>
          <div class="grid2">
            <figure>{{{revenueChart}}}</figure>
            {{#indicesChart}}<figure>{{{.}}}</figure>{{/indicesChart}}
            {{#satisfactionChart}}<figure>{{{.}}}</figure>{{/satisfactionChart}}
            {{#complaintsChart}}<figure>{{{.}}}</figure>{{/complaintsChart}}
            <div><h3>{{labels.clvInterval}}</h3><p>{{clv}}</p></div>
            <div><h3>{{labels.churnDrivers}}</h3><p>{{churn}}</p><p class="drivers">{{drivers}}</p></div>
          </div>
          <h3>{{labels.recommendedAction}}</h3>
          <p class="action">{{action}}</p>
        </section>
        {{/accountPages}}
        </main>
        <footer><p>{{labels.footer}}</p></footer>
        </body>
        </html>

        """

    /// Screen and A4 print styles; system fonts only (Noto Sans CJK for Chinese where installed).
    static let style = """
        :root { --ink: #1f2933; --muted: #616e7c; --line: #d9dee5; --accent: #1f5fa8; --red: #c0392b; --yellow: #d4a017; --green: #2e8b57; }
        * { box-sizing: border-box; }
        body { margin: 0 auto; max-width: 1040px; padding: 24px; color: var(--ink);
          font: 14px/1.45 "Noto Sans", "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", Arial, sans-serif; }
        h1 { font-size: 28px; margin: 0 0 4px; } h2 { font-size: 20px; margin: 28px 0 8px; border-bottom: 2px solid var(--accent); padding-bottom: 4px; }
        h3 { font-size: 15px; margin: 16px 0 6px; } a { color: var(--accent); }
        .meta, .note, .kicker { color: var(--muted); } .kicker { margin: 0; text-transform: uppercase; letter-spacing: .06em; font-size: 12px; }
        .lang { float: right; margin: 0; } nav ol { columns: 2; padding-left: 20px; } nav li.sub { font-size: 12px; }
        .tiles { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 10px; }
        .tile { border: 1px solid var(--line); border-radius: 6px; padding: 10px; break-inside: avoid; }
        .tile-name { color: var(--muted); font-size: 12px; } .tile-value { font-size: 20px; font-weight: 600; margin: 2px 0; }
        .tile-change { font-size: 11px; color: var(--muted); } .tile-change.better { color: var(--green); } .tile-change.worse { color: var(--red); }
        figure { margin: 8px 0; break-inside: avoid; } svg.chart { width: 100%; height: auto; max-width: 680px; display: block; }
        .pair, .grid2 { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 12px 16px; align-items: start; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 6px 0; } dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
        table { width: 100%; border-collapse: collapse; table-layout: fixed; font-size: 12px; }
        th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
        th { background: #f3f5f8; } .num { text-align: right; } td.num { white-space: nowrap; }
        .id { color: var(--muted); font-size: 14px; font-weight: normal; } .drivers { color: var(--muted); } .action { font-weight: 600; }
        footer { margin-top: 32px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); }
        .chart .grid { stroke: #eef1f4; } .chart .axis { stroke: #8a96a3; } .chart .split { stroke: #9aa5b1; stroke-dasharray: 4 3; }
        .chart .marker { stroke: var(--red); fill: var(--red); stroke-dasharray: 3 2; } .chart text { fill: var(--ink); font-size: 11px; }
        .chart .tick { fill: var(--muted); font-size: 10px; } .chart .chart-title { font-size: 13px; font-weight: 600; } .chart .axis-title { font-size: 11px; font-weight: 600; fill: var(--muted); }
        .chart .quadrant { font-size: 12px; font-weight: 600; fill: #7b8794; } .chart .point-label { font-size: 10px; fill: var(--ink); }
        .chart .legend { font-size: 11px; } .chart .cell-text { font-size: 12px; fill: var(--ink); } .chart .cell-text.dark { fill: #fff; }
        .chart .bar { fill: var(--accent); } .chart .bar.warn { fill: var(--red); } .chart .tier-A { fill: #1f5fa8; } .chart .tier-B { fill: #5b8fd1; } .chart .tier-C { fill: #a9c3e6; }
        .chart .band-red { fill: var(--red); } .chart .band-yellow { fill: var(--yellow); } .chart .band-green { fill: var(--green); }
        .chart .line { fill: none; stroke-width: 2; } .chart .line.revenue, .chart .line.csat { stroke: var(--accent); } .chart .line.complaints { stroke: var(--red); }
        .chart .dot.csat { fill: var(--accent); } .chart .dot.complaints { fill: var(--red); }
        .chart .dot.risk-low { fill: rgba(46,139,87,.45); } .chart .dot.risk-medium { fill: rgba(212,160,23,.55); } .chart .dot.risk-high { fill: rgba(192,57,43,.55); }
        .chart .dot.key { fill: var(--accent); stroke: #fff; stroke-width: 1; }
        @page { size: A4; margin: 12mm; }
        @media print {
          body { max-width: none; padding: 0; font-size: 11px; }
          table { font-size: 9.5px; } th, td { padding: 3px 4px; }
          nav, .lang { display: none; }
          section { break-inside: auto; } h2, h3 { break-after: avoid; }
          section.account { break-before: page; }
          .tiles { grid-template-columns: repeat(4, minmax(0, 1fr)); }
          svg.chart { max-width: 100%; }
          a { color: inherit; text-decoration: none; }
        }
        """
}
