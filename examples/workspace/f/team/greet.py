def main(name: str = "world", greeting: str = "Hello"):
    return {"message": f"{greeting}, {name}!", "length": len(name)}
