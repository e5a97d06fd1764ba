-- AlterTable
ALTER TABLE "SyncDocument" ADD COLUMN     "unrecognized" JSONB;
