using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class AddReplicationRules : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "replication_rules",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    organization = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    repositories = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    tags = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    target = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                    target_repository_prefix = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    username = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    protected_password = table.Column<string>(type: "TEXT", nullable: true),
                    created_by = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    cursor = table.Column<long>(type: "INTEGER", nullable: false),
                    last_success_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    last_replicated = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: true),
                    last_error = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: true),
                    last_error_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    failed_attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    next_attempt_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    claimed_until = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_replication_rules", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_replication_rules_organization",
                table: "replication_rules",
                column: "organization");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "replication_rules");
        }
    }
}
