"""A person's privacy: pseudonyms instead of ids, logs that cannot leak, clearing the chat,
erasing everything, and forgetting what is old."""
