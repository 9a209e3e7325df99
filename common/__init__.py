"""Code both programs share that is neither console nor backend: it imports nothing of ours and no Textual."""
