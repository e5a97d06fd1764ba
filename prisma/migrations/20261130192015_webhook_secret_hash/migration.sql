-- AlterTable
ALTER TABLE "Installation" ADD COLUMN     "webhookSecretEnc" TEXT;

-- The column keeps its name and now holds sha256 (hex) of the secret instead of the secret.
UPDATE "Installation" SET "webhookSecret" = encode(sha256(convert_to("webhookSecret", 'UTF8')), 'hex');
