/// The resumer's HTML, as Mustache templates (files in `Templates/`, compiled in). `{{x}}` is HTML-escaped by Mustache; the only
/// unescaped insertions (`{{{…}}}`) are HTML this module built itself from escaped parts.
enum PageTemplates {
    static let layout = String(decoding: PackageResources.resumer_layout_mustache, as: UTF8.self)

    static let approval = String(decoding: PackageResources.resumer_approval_mustache, as: UTF8.self)

    static let confirmReject = String(decoding: PackageResources.resumer_confirm_reject_mustache, as: UTF8.self)

    static let message = String(decoding: PackageResources.resumer_message_mustache, as: UTF8.self)

    static let inbox = String(decoding: PackageResources.resumer_inbox_mustache, as: UTF8.self)
}
