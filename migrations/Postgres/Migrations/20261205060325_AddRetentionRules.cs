using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Registry.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class AddRetentionRules : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "retention_rules",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    organization = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    position = table.Column<int>(type: "integer", nullable: false),
                    repositories = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    tags = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    keep_last = table.Column<int>(type: "integer", nullable: true),
                    older_than_days = table.Column<int>(type: "integer", nullable: true),
                    untagged_older_than_days = table.Column<int>(type: "integer", nullable: true),
                    updated_by = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_retention_rules", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_retention_rules_organization_position",
                table: "retention_rules",
                columns: new[] { "organization", "position" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "retention_rules");
        }
    }
}
