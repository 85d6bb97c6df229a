import Foundation

/// Where a prefix's approval links live: `<public>/p/<prefix>`, so that one resumer can serve the
/// gates of several prefixes and every link says which one it is for. (The resumer still serves
/// `<public>/approvals/...` — links minted before links named their prefix — for its first prefix.)
public enum PrefixLinks {
    /// The base under which `approvals/<gate>/<subject>/<token>` links of `keys` are minted.
    public static func base(publicURL: String, keys: KeySpace) -> String {
        let trimmed = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        return trimmed + "/" + pathPrefix(keys)
    }

    /// `p/<prefix>`, the router path of a prefix's links.
    public static func pathPrefix(_ keys: KeySpace) -> String {
        "p/" + (keys.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? keys.name)
    }
}
