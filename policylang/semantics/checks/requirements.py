from .common import CheckContext

def check(ctx: CheckContext):
    return []
