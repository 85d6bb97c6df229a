# requirements:
# idna

import idna


def main(domain: str = "bücher.example"):
    """Encodes an internationalized domain name with the `idna` package from PyPI."""
    return {"domain": domain, "ascii": idna.encode(domain).decode("ascii")}
