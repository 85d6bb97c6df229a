def main(name: str = "world", times: int = 1):
    """Greets someone, Windmill style: the return value is the job's result."""
    print(f"greeting {name} {times} time(s)")
    return {"greeting": " ".join([f"Hello, {name}!"] * times)}
