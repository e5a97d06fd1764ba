-- AlterTable
ALTER TABLE "Installation" ADD COLUMN     "pollError" TEXT,
ADD COLUMN     "pollFailedAt" TIMESTAMP(3),
ADD COLUMN     "pollFailures" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "RegisteredGood" DROP CONSTRAINT "RegisteredGood_pkey",
ADD COLUMN     "partnerKey" TEXT NOT NULL DEFAULT '',
ADD CONSTRAINT "RegisteredGood_pkey" PRIMARY KEY ("accountId", "partnerKey", "goodId");

-- Goods registered before the key existed belong to the partner the account is configured with now.
UPDATE "RegisteredGood" g SET "partnerKey" = s."betaproPartnerId" || '@' || s."betaproBaseUrl"
FROM "Settings" s
WHERE s."accountId" = g."accountId" AND s."betaproPartnerId" IS NOT NULL AND s."betaproBaseUrl" IS NOT NULL;
