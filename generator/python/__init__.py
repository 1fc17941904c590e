"""What Python output needs, derived from the model: type expressions, import plans, and the
one list of runtime symbols generated code may import."""
