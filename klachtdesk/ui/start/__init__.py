"""Getting in: first start, login and the idle lock."""
