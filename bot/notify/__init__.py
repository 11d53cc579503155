"""Turns the facts services return into outbox rows, through the ui builders."""
