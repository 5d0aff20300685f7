"""What every SQL backend shares: statements, repositories, the unit of work, error mapping."""
