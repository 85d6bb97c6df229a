# Imports a PyPI package: `packaging` is inferred from the import, locked with uv when the flow is
# pushed, and installed once per lock by each worker (docs/scripts.md).
from packaging.version import Version


def main(service: str, version: str):
    parsed = Version(version)
    artifact = f"{service}-{parsed}.tar.gz"
    print(f"building {artifact} (release {parsed.release}, pre-release: {parsed.is_prerelease})")
    return {"artifact": artifact, "size_kb": 1234, "major": parsed.major}
