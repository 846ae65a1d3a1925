using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class AddTagRulesAndQuotas : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "organization_usage",
                columns: table => new
                {
                    organization = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    quota_bytes = table.Column<long>(type: "INTEGER", nullable: true),
                    bytes = table.Column<long>(type: "INTEGER", nullable: false),
                    unique_bytes = table.Column<long>(type: "INTEGER", nullable: false),
                    counted_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_organization_usage", x => x.organization);
                });

            migrationBuilder.CreateTable(
                name: "tag_rules",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    organization = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    repositories = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    tags = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    immutable = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_tag_rules", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_tag_rules_organization",
                table: "tag_rules",
                column: "organization");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "organization_usage");

            migrationBuilder.DropTable(
                name: "tag_rules");
        }
    }
}
