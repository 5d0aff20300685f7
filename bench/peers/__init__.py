"""The apps Roomkey is measured against: the seed's tutorial, fastapi-users, bare Starlette."""
