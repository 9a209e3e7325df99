"""The HTTP contract's bodies (DESIGN.md "HTTP contract"), as pydantic models: what routes and sync ops accept
and answer. Request models forbid unknown fields, take integers strictly (money is never a float) and refuse
control characters in text."""
