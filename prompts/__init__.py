"""Coachbot's program content: the YAML files here are package data, read by
``bot.program_content`` (``COACHBOT_PROMPTS_DIR`` names another directory to use)."""
