-- AlterTable
ALTER TABLE "SyncDocument" ADD COLUMN     "replacedIndocId" TEXT,
ADD COLUMN     "statusBefore" TEXT;
