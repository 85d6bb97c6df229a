/// The console's HTML, as Mustache templates (files in `Templates/`, compiled in). `{{x}}` is HTML-escaped by Mustache; the only
/// unescaped insertions (`{{{…}}}`) are fragments this module rendered itself from these
/// templates, and the throughput chart's SVG (numbers and fixed text only).
enum ConsoleTemplates {
    static let layout = String(decoding: PackageResources.console_layout_mustache, as: UTF8.self)

    static let overview = String(decoding: PackageResources.console_overview_mustache, as: UTF8.self)

    static let overviewFragment = String(decoding: PackageResources.console_overview_fragment_mustache, as: UTF8.self)

    static let jobs = String(decoding: PackageResources.console_jobs_mustache, as: UTF8.self)

    static let job = String(decoding: PackageResources.console_job_mustache, as: UTF8.self)

    static let jobFragment = String(decoding: PackageResources.console_job_fragment_mustache, as: UTF8.self)

    static let gates = String(decoding: PackageResources.console_gates_mustache, as: UTF8.self)

    static let link = String(decoding: PackageResources.console_link_mustache, as: UTF8.self)

    static let catalogue = String(decoding: PackageResources.console_catalogue_mustache, as: UTF8.self)

    static let runnable = String(decoding: PackageResources.console_runnable_mustache, as: UTF8.self)

    static let schedules = String(decoding: PackageResources.console_schedules_mustache, as: UTF8.self)

    static let variables = String(decoding: PackageResources.console_variables_mustache, as: UTF8.self)

    static let login = String(decoding: PackageResources.console_login_mustache, as: UTF8.self)

    static let confirm = String(decoding: PackageResources.console_confirm_mustache, as: UTF8.self)

    static let audit = String(decoding: PackageResources.console_audit_mustache, as: UTF8.self)

    static let message = String(decoding: PackageResources.console_message_mustache, as: UTF8.self)

    static let stylesheet = String(decoding: PackageResources.console_stylesheet_css, as: UTF8.self)

    static let script = String(decoding: PackageResources.console_script_js, as: UTF8.self)
}
