"""LocalStack API Gateway tests replayed against Portico (see README.md)."""
