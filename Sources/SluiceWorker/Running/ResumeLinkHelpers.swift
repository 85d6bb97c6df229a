/// What a gated step's script gets to send its resume links: Python modules (`sluice` and a
/// `wmill` alias, so Windmill approval scripts run unchanged) and, for bash, a command. They
/// derive links locally from `SLUICE_RESUME_MINT_KEY` — the gate's minting key, not a Redis
/// credential — exactly as `ResumeLinks` does in Swift.
enum ResumeLinkHelpers {
    static let sluiceModule = #"""
        """Sluice helpers for scripts: the resume links of the current step's approval gate."""
        import base64
        import hashlib
        import hmac
        import os
        import secrets


        def get_resume_urls(approver=None):
            """Links to approve (resume), reject (cancel) or open the approval page of this step's gate.

            With `approver`, the links are bound to that name: it is signed into them, and the
            approval counts once for that person. Without, each call makes a new anonymous link.
            """
            base = os.environ.get("SLUICE_PUBLIC_URL", "").rstrip("/")
            gate = os.environ.get("SLUICE_GATE_ID")
            key = os.environ.get("SLUICE_RESUME_MINT_KEY")
            if not gate or not key:
                raise RuntimeError("this step has no approval gate (suspend), so it has no resume links")
            if approver:
                subject = "user:" + str(approver)
                segment = "u." + base64.urlsafe_b64encode(str(approver).encode("utf-8")).decode("ascii").rstrip("=")
            else:
                nonce = secrets.token_hex(16)
                subject = "link:" + nonce
                segment = "a." + nonce
            token = hmac.new(bytes.fromhex(key), subject.encode("utf-8"), hashlib.sha256).hexdigest()
            page = f"{base}/approvals/{gate}/{segment}/{token}"
            return {"approvalPage": page, "resume": page + "/resume", "cancel": page + "/cancel"}


        getResumeUrls = get_resume_urls
        """#

    static let wmillModule = #"""
        """The part of Windmill's `wmill` client that Sluice provides, so approval scripts run unchanged."""
        from sluice import get_resume_urls  # noqa: F401

        getResumeUrls = get_resume_urls
        """#

    /// `sluice-resume-urls [APPROVER]`: prints the links as JSON, for bash scripts.
    static let command = #"""
        #!/usr/bin/env python3
        import json
        import os
        import sys
        sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        from sluice import get_resume_urls
        print(json.dumps(get_resume_urls(sys.argv[1] if len(sys.argv) > 1 else None)))
        """#
}
