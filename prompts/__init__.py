"""Every prompt the LLM sees, as plain text files (shipped as package data)."""
