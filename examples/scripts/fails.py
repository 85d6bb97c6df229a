def main(order_id: str):
    raise ValueError(f"order {order_id} cannot be refunded twice")
