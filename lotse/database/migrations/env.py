"""Alembic environment for Lotse's own database (run through lotse.database.migrations.migrate)."""
from alembic import context

from lotse.database.engine import PLAIN, make_engine

config = context.config
engine = make_engine(config.get_main_option("sqlalchemy.url"), PLAIN)
with engine.connect() as connection:
    context.configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
