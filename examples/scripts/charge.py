import wmill


def main(amount: float, api: dict):
    # The secret reaches the script through its own channel to the worker (never from Redis);
    # whatever the job prints of it is masked in its logs.
    key = wmill.get_variable("f/examples/stripe_key")
    print(f"charging {amount} at {api['endpoint']} with key {key}")
    return {"charged": amount, "key_length": len(key), "resource_has_the_key": api["key"] == key}
