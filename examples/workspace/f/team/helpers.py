# A helper module imported by scripts: it has no .script.yaml, so sync leaves it.
def shout(text):
    return text.upper()
