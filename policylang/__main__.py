from .cli import entry_point

if __name__ == "__main__":  # not when a worker process started afresh imports it as __mp_main__
    entry_point()
