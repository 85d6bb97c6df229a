/// The console's HTML, as Mustache templates. `{{x}}` is HTML-escaped by Mustache; the only
/// unescaped insertions (`{{{…}}}`) are fragments this module rendered itself from these
/// templates, and the throughput chart's SVG (numbers and fixed text only).
enum ConsoleTemplates {
    static let layout = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <meta name="robots" content="noindex, nofollow">
        <title>{{title}} · Sluice console</title>
        <link rel="stylesheet" href="/static/console.css">
        <script src="/static/console.js" defer></script>
        </head>
        <body>
        <header><strong>Sluice</strong> <span class="prefix">{{prefix}}</span>
        <nav><a href="/">Overview</a> <a href="/jobs">Jobs</a> <a href="/gates">Gates</a> <a href="/scripts">Scripts &amp; flows</a> <a href="/schedules">Schedules</a> <a href="/variables">Variables</a> <a href="/audit">Audit</a></nav>
        <span class="who">operator: {{operator}}</span>{{#signedIn}}<form method="post" action="/logout" class="logout"><button type="submit">Sign out</button></form>{{/signedIn}}</header>
        <main>
        {{{body}}}
        </main>
        </body>
        </html>
        """#

    static let overview = #"""
        <h1>Overview</h1>
        <div id="live" data-live="/live/overview">{{{fragment}}}</div>
        """#

    static let overviewFragment = #"""
        <p class="meta" id="read-at">Read at {{now}} (Redis clock){{#openGates}} · <a href="/gates">{{openGates}} open gate(s)</a>{{/openGates}}</p>
        <h2>Queues</h2>
        <table id="queues"><thead><tr><th>queue</th><th>pending</th><th>running</th><th>delayed</th><th>succeeded</th><th>failed</th><th>canceled</th><th>last minute</th></tr></thead>
        <tbody>{{#queues}}<tr data-queue="{{queue}}"><td><a href="/jobs?queue={{queue}}">{{queue}}</a></td><td class="pending">{{pending}}</td><td class="running">{{running}}</td><td class="delayed">{{delayed}}</td><td class="succeeded">{{succeeded}}</td><td class="failed">{{failed}}</td><td class="canceled">{{canceled}}</td><td>{{lastMinute}}</td></tr>{{/queues}}
        {{^queues}}<tr><td colspan="8">No queue has seen a job yet.</td></tr>{{/queues}}</tbody></table>
        <h2>Finished per minute <span class="hint">(last {{minutes}} minutes; green succeeded, red failed or canceled)</span></h2>
        {{{chart}}}
        <h2>Workers</h2>
        <table id="workers"><thead><tr><th>worker</th><th>queues</th><th>slots</th><th>running</th><th>last heartbeat</th></tr></thead>
        <tbody>{{#workers}}<tr data-worker="{{id}}"><td>{{id}}</td><td>{{queues}}</td><td>{{busy}} / {{slots}}</td><td>{{#jobs}}<a href="/jobs/{{id}}">{{path}}</a> {{/jobs}}</td><td>{{seen}}</td></tr>{{/workers}}
        {{^workers}}<tr><td colspan="5">No live worker.</td></tr>{{/workers}}</tbody></table>
        <h2>Open gates</h2>
        <table id="gates"><thead><tr><th>flow</th><th>step</th><th>approvals</th><th>deadline</th></tr></thead>
        <tbody>{{#gates}}<tr data-gate="{{id}}"><td><a href="/jobs/{{flow}}">{{flowName}}</a></td><td>{{step}}</td><td>{{count}} / {{required}}</td><td>{{deadline}}</td></tr>{{/gates}}
        {{^gates}}<tr><td colspan="4">No open gate.</td></tr>{{/gates}}</tbody></table>
        <h2>Next schedule ticks</h2>
        <table id="schedules"><thead><tr><th>schedule</th><th>runs</th><th>next tick</th></tr></thead>
        <tbody>{{#schedules}}<tr><td>{{name}}</td><td>{{path}}</td><td>{{next}}</td></tr>{{/schedules}}
        {{^schedules}}<tr><td colspan="3">No enabled schedule.</td></tr>{{/schedules}}</tbody></table>
        """#

    static let jobs = #"""
        <h1>Jobs</h1>
        <form method="get" action="/jobs" class="filters">
        <label>state <select name="state"><option value="">any</option>{{#states}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/states}}</select></label>
        <label>queue <input type="text" name="queue" value="{{queue}}" size="10"></label>
        <label>path <input type="text" name="path" value="{{path}}" size="16" placeholder="f/ops/"></label>
        <label>started by <input type="text" name="created_by" value="{{createdBy}}" size="10"></label>
        <label>since <input type="datetime-local" name="since" value="{{since}}"></label>
        <label>until <input type="datetime-local" name="until" value="{{until}}"></label>
        <label><input type="checkbox" name="kinds" value="all"{{#allKinds}} checked{{/allKinds}}> steps too</label>
        <button type="submit">Filter</button>
        </form>
        <table id="jobs"><thead><tr><th>id</th><th>kind</th><th>state</th><th>queue</th><th>path</th><th>started by</th><th>created</th><th>took</th></tr></thead>
        <tbody>{{#rows}}<tr data-job="{{id}}"><td><a href="/jobs/{{id}}"><code>{{id}}</code></a></td><td>{{kind}}</td><td><span class="state state-{{state}}">{{state}}</span></td><td>{{queue}}</td><td>{{path}}</td><td>{{createdBy}}</td><td>{{created}}</td><td>{{took}}</td></tr>{{/rows}}
        {{^rows}}<tr><td colspan="8">No job matches.</td></tr>{{/rows}}</tbody></table>
        <p class="pager">{{#previous}}<a href="{{previous}}">← newer</a>{{/previous}} page {{page}} {{#next}}<a href="{{next}}">older →</a>{{/next}}</p>
        <p class="hint">Listed from the queues, the delayed set, the running jobs and the newest finished jobs of each queue (docs/console.md).</p>
        """#

    static let job = #"""
        <h1>{{heading}}</h1>
        <p class="meta"><code>{{id}}</code> · {{kind}} on queue <strong>{{queue}}</strong>{{#createdBy}} · started by <strong>{{createdBy}}</strong>{{/createdBy}}{{#flow}} · step of <a href="/jobs/{{flow}}">flow {{flow}}</a>{{/flow}}</p>
        <div id="live" data-live="{{live}}">{{{fragment}}}</div>
        """#

    static let jobFragment = #"""
        <p class="actions">{{#canCancel}}<a class="button reject" href="/jobs/{{id}}/cancel">Cancel…</a>{{/canCancel}} {{#canRunAgain}}<a class="button" href="/jobs/{{id}}/run-again">Run again…</a>{{/canRunAgain}} {{#canDelete}}<a class="button reject" href="/jobs/{{id}}/delete">Delete…</a>{{/canDelete}}</p>
        <table class="facts">
        <tr><th>state</th><td><span id="job-state" class="state state-{{state}}" data-state="{{state}}">{{state}}</span></td></tr>
        <tr><th>created</th><td>{{created}}</td></tr>
        {{#scheduled}}<tr><th>scheduled for</th><td>{{scheduled}}</td></tr>{{/scheduled}}
        {{#started}}<tr><th>started</th><td>{{started}}</td></tr>{{/started}}
        {{#finished}}<tr><th>finished</th><td>{{finished}}</td></tr>{{/finished}}
        {{#took}}<tr><th>took</th><td>{{took}}</td></tr>{{/took}}
        <tr><th>deliveries</th><td>{{deliveries}} of at most {{maxDeliveries}}</td></tr>
        {{#worker}}<tr><th>worker</th><td>{{worker}}</td></tr>{{/worker}}
        {{#timeout}}<tr><th>timeout</th><td>{{timeout}} s</td></tr>{{/timeout}}
        {{#language}}<tr><th>language</th><td>{{language}}</td></tr>{{/language}}
        {{#scriptHash}}<tr><th>version</th><td><code>{{scriptHash}}</code></td></tr>{{/scriptHash}}
        </table>
        {{#graph}}<h2>Graph</h2><div class="graph" id="flow-graph">{{{graph}}}</div>{{/graph}}
        {{#openGates}}<section class="gate" id="gate-{{id}}" data-gate="{{id}}"><h3>Gate {{module}}: {{count}} of {{required}} approval(s){{#deadline}}, closes {{deadline}}{{/deadline}}</h3>
        {{#history}}<p class="hint">{{text}}</p>{{/history}}
        <form method="post" action="/gates/{{id}}/approve" class="approve"><input type="hidden" name="csrf" value="{{csrf}}">
        {{#fields}}<label>{{label}}{{#required}} *{{/required}} {{#isCheckbox}}<input type="checkbox" name="{{name}}" value="true">{{/isCheckbox}}{{^isCheckbox}}<input type="text" name="{{name}}" value="{{value}}"{{#required}} required{{/required}}>{{/isCheckbox}}</label> {{/fields}}
        {{^fields}}<label>Note <input type="text" name="note" maxlength="2000"></label>{{/fields}}
        <button type="submit">Approve as {{operator}}</button></form>
        <form method="post" action="/gates/{{id}}/reject" class="reject-form"><input type="hidden" name="csrf" value="{{csrf}}"><label>Reason <input type="text" name="note" maxlength="2000"></label> <button type="submit" class="reject">Reject</button></form>
        </section>{{/openGates}}
        <h2>Arguments</h2><pre id="job-args">{{arguments}}</pre>
        {{#result}}<h2>Result</h2><pre id="job-result">{{result}}</pre>{{/result}}
        {{#error}}<h2>Error</h2><pre id="job-error" class="error">{{error}}</pre>{{/error}}
        {{#hasSteps}}<h2>Steps</h2>
        <table id="steps"><thead><tr><th>module</th><th>type</th><th>frame</th><th>state</th><th>took</th></tr></thead>
        <tbody>{{#steps}}<tr data-step="{{module}}"><td><a href="/jobs/{{id}}">{{module}}</a></td><td>{{type}}</td><td>{{frame}}</td><td><span class="state state-{{state}}">{{state}}</span></td><td>{{took}}</td></tr>{{/steps}}</tbody></table>{{/hasSteps}}
        {{#hasGates}}<h2>Gates</h2><ul id="flow-gates">{{#gates}}<li>{{module}}: {{state}}, {{count}} of {{required}} approval(s){{#deadline}}, deadline {{deadline}}{{/deadline}}{{#history}}<br><span class="hint">{{text}}</span>{{/history}}</li>{{/gates}}</ul>{{/hasGates}}
        <h2>Logs{{#following}} <span class="hint">(following)</span>{{/following}}</h2><pre id="job-logs">{{logs}}</pre>
        """#

    static let gates = #"""
        <h1>Open gates</h1>
        <p class="hint">Every gate that takes decisions now, {{#soonest}}nearest deadline first · <a href="/gates?sort=latest">latest first</a>{{/soonest}}{{^soonest}}latest deadline first · <a href="/gates">nearest first</a>{{/soonest}}.</p>
        <table id="gates"><thead><tr><th>flow</th><th>step</th><th>started by</th><th>approvals</th><th>deadline</th><th>link for an approver</th></tr></thead>
        <tbody>{{#gates}}<tr data-gate="{{id}}"><td><a href="/jobs/{{flow}}#gate-{{id}}">{{flowName}}</a></td><td>{{step}}</td><td>{{createdBy}}</td><td>{{count}} / {{required}}{{#approvers}}<br><span class="hint">{{approvers}}</span>{{/approvers}}</td><td>{{deadline}}</td>
        <td>{{#canMint}}<form method="post" action="/gates/{{id}}/link"><input type="hidden" name="csrf" value="{{csrf}}"><input type="text" name="approver" size="10" required placeholder="name"> <button type="submit">Mint</button></form>{{/canMint}}{{^canMint}}<span class="hint">start with --resumer-url</span>{{/canMint}}</td></tr>{{/gates}}
        {{^gates}}<tr><td colspan="6">No open gate.</td></tr>{{/gates}}</tbody></table>
        """#

    static let link = #"""
        <h1>A link for {{approver}}</h1>
        <p>Send this approval page to <strong>{{approver}}</strong> only: it is a secret, bound to that name, and dies when the gate closes.</p>
        <pre id="link">{{url}}</pre>
        <p><a href="/jobs/{{flow}}#gate-{{gate}}">Back to the flow</a></p>
        """#

    static let catalogue = #"""
        <h1>Scripts and flows</h1>
        <h2>Flows</h2>
        <table id="flows"><thead><tr><th>path</th><th>summary</th><th>updated</th></tr></thead>
        <tbody>{{#flows}}<tr data-flow="{{path}}"><td><a href="/flow?path={{path}}">{{path}}</a></td><td>{{summary}}</td><td>{{updated}}</td></tr>{{/flows}}
        {{^flows}}<tr><td colspan="3">No flow pushed.</td></tr>{{/flows}}</tbody></table>
        <h2>Scripts</h2>
        <table id="scripts"><thead><tr><th>path</th><th>language</th><th>summary</th><th>updated</th></tr></thead>
        <tbody>{{#scripts}}<tr data-script="{{path}}"><td><a href="/script?path={{path}}">{{path}}</a></td><td>{{language}}</td><td>{{summary}}</td><td>{{updated}}</td></tr>{{/scripts}}
        {{^scripts}}<tr><td colspan="4">No script pushed.</td></tr>{{/scripts}}</tbody></table>
        """#

    static let runnable = #"""
        <h1>{{path}}</h1>
        <p class="meta">{{kind}}{{#language}} · {{language}}{{/language}}{{#summary}} · {{summary}}{{/summary}} · version <code>{{hash}}</code> · updated {{updated}}</p>
        {{#description}}<p>{{description}}</p>{{/description}}
        <h2>Run</h2>
        <form method="post" action="/run" id="run-form">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="kind" value="{{kind}}"><input type="hidden" name="path" value="{{path}}">
        {{#fields}}
        {{#isCheckbox}}<label class="check"><input type="checkbox" name="{{name}}" value="true"{{#checked}} checked{{/checked}}> {{label}}</label>{{#fieldDescription}} <span class="hint">{{fieldDescription}}</span>{{/fieldDescription}}<br>{{/isCheckbox}}
        {{^isCheckbox}}<label for="f-{{name}}">{{label}}{{#required}} *{{/required}} <span class="hint">({{type}}){{#fieldDescription}} — {{fieldDescription}}{{/fieldDescription}}</span></label><br>
        {{#isSelect}}<select id="f-{{name}}" name="{{name}}"{{#required}} required{{/required}}>{{^required}}<option value=""></option>{{/required}}{{#options}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/options}}</select>{{/isSelect}}
        {{#isTextarea}}<textarea id="f-{{name}}" name="{{name}}"{{#required}} required{{/required}}>{{value}}</textarea>{{/isTextarea}}
        {{#isNumber}}<input id="f-{{name}}" type="number" step="{{step}}" name="{{name}}" value="{{value}}"{{#required}} required{{/required}}>{{/isNumber}}
        {{#isText}}<input id="f-{{name}}" type="text" name="{{name}}" value="{{value}}"{{#required}} required{{/required}}>{{/isText}}<br>
        {{/isCheckbox}}
        {{/fields}}
        {{#jsonArgs}}<label for="f-args">Arguments <span class="hint">(a JSON object)</span></label><br><textarea id="f-args" name="args" rows="4" cols="60">{}</textarea><br>{{/jsonArgs}}
        <label>queue <input type="text" name="queue" value="default" size="12"></label>
        <button type="submit">Run as {{operator}}</button>
        </form>
        <h2>Source</h2><pre id="source">{{source}}</pre>
        {{#hasVersions}}<h2>Versions</h2><ul id="versions">{{#versions}}<li><code>{{hash}}</code>{{#at}} · {{at}}{{/at}}</li>{{/versions}}</ul>{{/hasVersions}}
        """#

    static let schedules = #"""
        <h1>Schedules</h1>
        <table id="schedules"><thead><tr><th>name</th><th>runs</th><th>cron</th><th>state</th><th>next tick</th><th>fired / skipped</th><th>last runs</th><th></th></tr></thead>
        <tbody>{{#schedules}}<tr data-schedule="{{name}}" data-enabled="{{enabled}}"><td>{{name}}</td><td>{{path}}</td><td><code>{{cron}}</code> {{timeZone}}</td><td>{{#enabled}}active{{/enabled}}{{^enabled}}paused{{/enabled}}</td><td>{{next}}</td><td>{{fired}} / {{skipped}}</td>
        <td>{{#runs}}<span class="state state-{{outcome}}" title="{{at}}">{{#job}}<a href="/jobs/{{job}}">{{outcome}}</a>{{/job}}{{^job}}{{outcome}}{{/job}}</span> {{/runs}}</td>
        <td><form method="post" action="/schedules/{{#enabled}}pause{{/enabled}}{{^enabled}}resume{{/enabled}}"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="name" value="{{name}}"><button type="submit"{{#enabled}} class="reject"{{/enabled}}>{{#enabled}}Pause{{/enabled}}{{^enabled}}Resume{{/enabled}}</button></form></td></tr>{{/schedules}}
        {{^schedules}}<tr><td colspan="8">No schedule.</td></tr>{{/schedules}}</tbody></table>
        """#

    static let variables = #"""
        <h1>Variables and resources</h1>
        <p class="hint">A secret's value is never read by the console nor sent to the browser: a new value is sealed to the registered secrets key as it is set.</p>
        <h2>Variables</h2>
        <table id="variables"><thead><tr><th>path</th><th>value</th><th>description</th><th>version</th><th>updated</th><th>set</th></tr></thead>
        <tbody>{{#variables}}<tr data-variable="{{path}}"><td>{{path}}</td><td>{{#secret}}<em>secret — sealed, never shown</em>{{/secret}}{{^secret}}<code>{{value}}</code>{{/secret}}</td><td>{{description}}</td><td>{{version}}</td><td>{{updated}}</td>
        <td><form method="post" action="/variables/set"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="path" value="{{path}}"><input type="hidden" name="version" value="{{version}}">{{#secret}}<input type="password" name="value" autocomplete="new-password" placeholder="new secret value" required>{{/secret}}{{^secret}}<input type="text" name="value" value="{{value}}">{{/secret}} <button type="submit">Set</button></form></td></tr>{{/variables}}
        {{^variables}}<tr><td colspan="6">No variable.</td></tr>{{/variables}}</tbody></table>
        <h2>Resources</h2>
        <table id="resources"><thead><tr><th>path</th><th>type</th><th>value</th><th>description</th><th>version</th></tr></thead>
        <tbody>{{#resources}}<tr data-resource="{{path}}"><td>{{path}}</td><td>{{type}}</td><td><pre>{{value}}</pre></td><td>{{description}}</td><td>{{version}}</td></tr>{{/resources}}
        {{^resources}}<tr><td colspan="5">No resource.</td></tr>{{/resources}}</tbody></table>
        """#

    static let login = #"""
        <h1>Sign in</h1>
        <p class="hint">This console asks for an operator token (made with <code>sluice console token create NAME</code>).</p>
        {{#error}}<p id="message" class="status-error">{{error}}</p>{{/error}}
        <form method="post" action="/login"><label>Token <input type="password" name="token" autocomplete="current-password" required size="40"></label> <button type="submit">Sign in</button></form>
        """#

    static let confirm = #"""
        <h1>{{heading}}</h1>
        <p>{{question}}</p>
        <p class="meta">Job <a href="/jobs/{{id}}"><code>{{id}}</code></a>{{#path}} · {{path}}{{/path}} · {{state}}</p>
        <form method="post" action="{{action}}">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit" class="{{buttonClass}}">{{button}}</button> <a href="/jobs/{{id}}">Back</a>
        </form>
        """#

    static let audit = #"""
        <h1>Audit</h1>
        <p class="hint">The newest {{limit}} console actions, newest first.</p>
        <table id="audit"><thead><tr><th>when</th><th>who</th><th>action</th><th>target</th><th>outcome</th></tr></thead>
        <tbody>{{#entries}}<tr><td>{{at}}</td><td>{{who}}</td><td>{{action}}</td><td>{{#link}}<a href="{{link}}">{{target}}</a>{{/link}}{{^link}}{{target}}{{/link}}</td><td>{{outcome}}</td></tr>{{/entries}}
        {{^entries}}<tr><td colspan="5">Nothing yet.</td></tr>{{/entries}}</tbody></table>
        """#

    static let message = #"""
        <h1 class="{{statusClass}}">{{heading}}</h1>
        <p id="message">{{message}}</p>
        {{#link}}<p><a href="{{link}}">{{linkText}}</a></p>{{/link}}
        """#

    static let stylesheet = """
        body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; background: #f5f6f8; color: #1d2330; }
        header { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1.5rem; background: #1d2330; color: #fff; }
        header a { color: #cfd8ff; margin-right: 1rem; text-decoration: none; } header .who { margin-left: auto; color: #aab; }
        header .prefix { color: #aab; } header form.logout button { padding: .2rem .7rem; background: #3a4150; font-weight: 500; }
        main { max-width: 72rem; margin: 1.5rem auto; background: #fff; padding: 1.5rem 2rem; border-radius: 10px; box-shadow: 0 1px 4px rgba(0,0,0,.08); }
        h1 { font-size: 1.5rem; margin-top: 0; } h2 { font-size: 1.1rem; margin-top: 1.6rem; }
        table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #e4e7ec; vertical-align: top; }
        table.facts { width: auto; } table.facts th { color: #5a6272; font-weight: 500; }
        pre { background: #f0f2f5; padding: .7rem; border-radius: 6px; overflow-x: auto; max-height: 28rem; } pre.error { background: #fdecea; }
        .meta, .hint { color: #5a6272; } .hint { font-size: .9rem; font-weight: 400; }
        .state { padding: .05rem .45rem; border-radius: 4px; background: #e4e7ec; } .state-success { background: #d6f2e1; }
        .state-failure { background: #fbd9d5; } .state-running { background: #dbe5ff; } .state-suspended { background: #fff1c7; }
        .state-canceled { background: #eee; color: #666; }
        .filters label { margin-right: .8rem; white-space: nowrap; } .filters { margin-bottom: 1rem; }
        button, a.button { display: inline-block; padding: .45rem 1.1rem; font: inherit; font-weight: 600; border: 0; border-radius: 6px; cursor: pointer; background: #1f8f4e; color: #fff; text-decoration: none; }
        .reject { background: #c0392b !important; }
        .graph { overflow-x: auto; } .flow-graph text { font-family: system-ui, sans-serif; } .flow-graph .title { font-size: 13px; font-weight: 600; fill: #1d2330; }
        .flow-graph .detail { font-size: 11px; fill: #3a4150; } .flow-graph .label { font-size: 11px; fill: #5a6272; }
        section.gate { border: 1px solid #d4a017; background: #fffaf0; border-radius: 8px; padding: .4rem 1rem 1rem; margin: 1rem 0; }
        section.gate form { margin-top: .5rem; } #run-form label { display: inline-block; margin-top: .6rem; font-weight: 600; }
        #run-form input[type=text], #run-form input[type=number], #run-form select, #run-form textarea { min-width: 20rem; padding: .3rem; font: inherit; } .status-ok { color: #1f8f4e; } .status-error { color: #c0392b; }
        """

    static let script = """
        // Live parts of a page: an element with data-live="URL" is replaced by each `fragment`
        // event of that server-sent event stream (held back while someone types in one of its
        // fields); an `end` event closes the stream.
        for (const element of document.querySelectorAll("[data-live]")) {
          const source = new EventSource(element.dataset.live);
          let held = null;
          const typing = () => element.contains(document.activeElement) && document.activeElement.matches("input, textarea, select");
          source.addEventListener("fragment", (event) => {
            if (typing()) { held = event.data; } else { element.innerHTML = event.data; countDown(); }
          });
          element.addEventListener("focusout", () => {
            setTimeout(() => { if (held !== null && !typing()) { element.innerHTML = held; held = null; countDown(); } }, 0);
          });
          source.addEventListener("end", () => source.close());
        }
        // Deadlines count down in place: an element with data-deadline="ms since the epoch".
        function countDown() {
          for (const element of document.querySelectorAll("[data-deadline]")) {
            const left = Math.max(0, Math.round((Number(element.dataset.deadline) - Date.now()) / 1000));
            const text = left >= 3600 ? `${Math.floor(left / 3600)} h ${Math.floor(left % 3600 / 60)} min left`
              : left >= 60 ? `${Math.floor(left / 60)} min ${left % 60} s left` : `${left} s left`;
            element.textContent = text;
          }
        }
        countDown();
        setInterval(countDown, 1000);
        """
}
