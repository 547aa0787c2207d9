"""kernel requested slots not nullable

Revision ID: 97ed2c4a73ae
Revises: a8e1c529e791
Create Date: 2024-03-25 11:07:52.331876

"""

from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "97ed2c4a73ae"
down_revision = "a8e1c529e791"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column(
        "kernels",
        "requested_slots",
        existing_type=postgresql.JSONB(astext_type=postgresql.TEXT()),
        nullable=False,
    )


def downgrade() -> None:
    op.alter_column(
        "kernels",
        "requested_slots",
        existing_type=postgresql.JSONB(astext_type=postgresql.TEXT()),
        nullable=True,
    )
