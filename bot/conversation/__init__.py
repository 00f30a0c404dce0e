"""A person's conversation with the engine: stepping it, delivering what it says, carrying out
its effects, the person's router, errors and flood control."""
