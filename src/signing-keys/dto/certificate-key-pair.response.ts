import { ApiProperty, ApiSchema } from '@nestjs/swagger';

/**
 * authentik's CertificateKeyPair, read-only. Our pairs are bare keys without an X.509
 * certificate, so the certificate's fingerprints, expiry and subject are null; the download URLs
 * are left out (there is nothing to download, and private keys never leave the service).
 */
@ApiSchema({ name: 'CertificateKeyPair', description: 'CertificateKeyPair Serializer' })
export class CertificateKeyPairResponse {
  @ApiProperty({ readOnly: true, format: 'uuid', title: 'Kp uuid' })
  pk: string;

  @ApiProperty()
  name: string;

  @ApiProperty({
    readOnly: true,
    nullable: true,
    type: String,
    description: 'Get certificate Hash (SHA256)',
  })
  fingerprint_sha256: string | null;

  @ApiProperty({
    readOnly: true,
    nullable: true,
    type: String,
    description: 'Get certificate Hash (SHA1)',
  })
  fingerprint_sha1: string | null;

  @ApiProperty({
    readOnly: true,
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'Get certificate expiry',
  })
  cert_expiry: string | null;

  @ApiProperty({
    readOnly: true,
    nullable: true,
    type: String,
    description: 'Get certificate subject as full rfc4514',
  })
  cert_subject: string | null;

  @ApiProperty({
    readOnly: true,
    description: 'Show if this keypair has a private key configured or not',
  })
  private_key_available: boolean;

  @ApiProperty({
    readOnly: true,
    nullable: true,
    type: String,
    description: "Get the private key's type, if set",
  })
  private_key_type: string | null;

  @ApiProperty({
    readOnly: true,
    nullable: true,
    type: String,
    description:
      'Objects that are managed by authentik. These objects are created and updated automatically.',
  })
  managed: string | null;
}
