/// The resumer's HTML, as Mustache templates. `{{x}}` is HTML-escaped by Mustache; the only
/// unescaped insertions (`{{{…}}}`) are HTML this module built itself from escaped parts.
enum PageTemplates {
    static let layout = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <meta name="robots" content="noindex, nofollow">
        <title>{{title}}</title>
        <style>
        body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; background: #f5f6f8; color: #1d2330; }
        main { max-width: 44rem; margin: 2rem auto; background: #fff; padding: 2rem; border-radius: 10px; box-shadow: 0 1px 4px rgba(0,0,0,.08); }
        h1 { font-size: 1.5rem; margin-top: 0; } h2 { font-size: 1.1rem; margin-top: 1.6rem; }
        .meta, .note { color: #5a6272; } .note { background: #fff7e0; padding: .6rem .8rem; border-radius: 6px; }
        pre { background: #f0f2f5; padding: .7rem; border-radius: 6px; overflow-x: auto; }
        .description { border-left: 4px solid #3d6cf4; padding-left: 1rem; }
        label { display: block; margin: .9rem 0 .2rem; font-weight: 600; } .hint { font-weight: 400; color: #5a6272; font-size: .9rem; }
        input[type=text], input[type=number], select, textarea { width: 100%; box-sizing: border-box; padding: .5rem; font: inherit; border: 1px solid #c4c9d4; border-radius: 6px; }
        textarea { min-height: 5rem; } .check { display: flex; gap: .5rem; align-items: center; font-weight: 600; margin-top: .9rem; }
        button { margin-top: 1.2rem; padding: .6rem 1.4rem; font: inherit; font-weight: 600; border: 0; border-radius: 6px; cursor: pointer; background: #1f8f4e; color: #fff; }
        button.reject { background: #c0392b; } .status-ok { color: #1f8f4e; } .status-error { color: #c0392b; }
        ul.history { padding-left: 1.2rem; }
        </style>
        </head>
        <body><main>
        {{{body}}}
        </main></body>
        </html>
        """#

    static let approval = #"""
        <h1>{{title}}</h1>
        <p class="meta">Step <strong>{{step}}</strong>{{#flowPath}} of <code>{{flowPath}}</code>{{/flowPath}}{{#startedBy}} · started by <strong>{{startedBy}}</strong>{{/startedBy}}{{#startedAt}} at {{startedAt}}{{/startedAt}}</p>
        {{#descriptionHTML}}<section class="description">{{{descriptionHTML}}}</section>{{/descriptionHTML}}
        {{#inputs}}<h2>Inputs</h2><pre>{{inputs}}</pre>{{/inputs}}
        <h2>Approvals</h2>
        <p>{{count}} of {{required}} approval{{#plural}}s{{/plural}} so far{{#deadline}} · closes at {{deadline}}{{/deadline}}.</p>
        {{#hasHistory}}<ul class="history">{{#history}}<li>{{text}}</li>{{/history}}</ul>{{/hasHistory}}
        {{#pending}}<p class="note">The step before this gate is still running; approvals sent now are kept and counted when it finishes.</p>{{/pending}}
        {{#identityNote}}<p class="note">{{identityNote}}</p>{{/identityNote}}
        <form method="post" action="{{resumeAction}}">
        {{#fields}}
        {{#isCheckbox}}<label class="check"><input type="checkbox" name="{{name}}" value="true"{{#checked}} checked{{/checked}}> {{label}}</label>{{#description}}<span class="hint">{{description}}</span>{{/description}}{{/isCheckbox}}
        {{^isCheckbox}}<label for="f-{{name}}">{{label}}{{#required}} *{{/required}}{{#description}} <span class="hint">— {{description}}</span>{{/description}}</label>
        {{#isSelect}}<select id="f-{{name}}" name="{{name}}"{{#required}} required{{/required}}>{{^required}}<option value=""></option>{{/required}}{{#options}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/options}}</select>{{/isSelect}}
        {{#isTextarea}}<textarea id="f-{{name}}" name="{{name}}"{{#required}} required{{/required}}>{{value}}</textarea>{{/isTextarea}}
        {{#isNumber}}<input id="f-{{name}}" type="number" step="{{step}}" name="{{name}}" value="{{value}}"{{#required}} required{{/required}}>{{/isNumber}}
        {{#isText}}<input id="f-{{name}}" type="text" name="{{name}}" value="{{value}}"{{#required}} required{{/required}}>{{/isText}}
        {{/isCheckbox}}
        {{/fields}}
        <button type="submit">{{approveLabel}}</button>
        </form>
        {{^hideCancel}}
        <form method="post" action="{{cancelAction}}">
        <label for="reason">Reason for rejecting <span class="hint">(optional)</span></label>
        <textarea id="reason" name="reason" maxlength="2000"></textarea>
        <button type="submit" class="reject">Reject</button>
        </form>
        {{/hideCancel}}
        """#

    static let confirmReject = #"""
        <h1>Reject “{{title}}”?</h1>
        <p class="meta">Step <strong>{{step}}</strong>. Opening this link changed nothing; rejecting takes the button below.</p>
        <form method="post" action="{{cancelAction}}">
        <label for="reason">Reason <span class="hint">(optional)</span></label>
        <textarea id="reason" name="reason" maxlength="2000"></textarea>
        <button type="submit" class="reject">Reject</button>
        </form>
        """#

    static let message = #"""
        <h1 class="{{statusClass}}">{{heading}}</h1>
        <p>{{message}}</p>
        {{#detail}}<p class="meta">{{detail}}</p>{{/detail}}
        """#

    static let inbox = #"""
        <h1>Decisions waiting for {{name}}</h1>
        <p class="meta">Every open gate you may decide. This page is yours alone: do not forward its link.</p>
        {{#entries}}<section class="inbox-gate" data-gate="{{gate}}"><h2>{{title}}</h2>
        <p>Step <strong>{{step}}</strong>{{#flowPath}} of <code>{{flowPath}}</code>{{/flowPath}}{{#startedBy}} · started by {{startedBy}}{{/startedBy}} · {{count}} of {{required}} approval(s){{#deadline}} · closes at {{deadline}}{{/deadline}}</p>
        <p><a href="{{url}}">Open the approval page</a></p></section>{{/entries}}
        {{^entries}}<p id="empty">Nothing waits for you.</p>{{/entries}}
        """#
}
