def main(service: str, version: str):
    artifact = f"{service}-{version}.tar.gz"
    print(f"building {artifact}")
    return {"artifact": artifact, "size_kb": 1234}
