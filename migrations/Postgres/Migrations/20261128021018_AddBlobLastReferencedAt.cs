using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class AddBlobLastReferencedAt : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "last_referenced_at",
                table: "blobs",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            // Existing blobs were last referenced, at the latest, when they were pushed.
            migrationBuilder.Sql("UPDATE blobs SET last_referenced_at = created_at");

            migrationBuilder.CreateIndex(
                name: "IX_blobs_last_referenced_at",
                table: "blobs",
                column: "last_referenced_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_blobs_last_referenced_at",
                table: "blobs");

            migrationBuilder.DropColumn(
                name: "last_referenced_at",
                table: "blobs");
        }
    }
}
