-- AlterTable
ALTER TABLE "Outdoc" ADD COLUMN     "rawPacked" BYTEA,
ALTER COLUMN "raw" DROP NOT NULL;

-- AlterTable
ALTER TABLE "SyncDocument" ADD COLUMN     "planPacked" BYTEA;
