-- AlterTable
ALTER TABLE "SyncDocument" ADD COLUMN     "commentLog" JSONB;
