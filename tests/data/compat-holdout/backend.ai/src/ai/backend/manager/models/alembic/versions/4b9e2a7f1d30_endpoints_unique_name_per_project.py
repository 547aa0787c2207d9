"""endpoints: unique live name per project, fk to groups

Revision ID: 4b9e2a7f1d30
Revises: c6e0d8f4a913
Create Date: 2024-06-04 13:59:02.384117

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "4b9e2a7f1d30"
down_revision = "c6e0d8f4a913"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_foreign_key(
        op.f("fk_endpoints_project_groups"),
        "endpoints",
        "groups",
        ["project"],
        ["id"],
        ondelete="RESTRICT",
    )
    op.create_index(
        "ix_endpoints_name_domain_project_live",
        "endpoints",
        ["name", "domain", "project"],
        unique=True,
        postgresql_where=sa.text("lifecycle_stage != 'destroyed'"),
    )


def downgrade() -> None:
    op.drop_index("ix_endpoints_name_domain_project_live", table_name="endpoints")
    op.drop_constraint(op.f("fk_endpoints_project_groups"), "endpoints", type_="foreignkey")
