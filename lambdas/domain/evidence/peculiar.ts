/**
 * The one place that loads @peculiar/x509. Its dependency injection (tsyringe) needs the
 * Reflect metadata API, which must be installed before the library module is evaluated; ESM
 * evaluates imports in order, so the polyfill import has to stay first.
 */
import 'reflect-metadata';

export {
  BasicConstraintsExtension,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  Pkcs10CertificateRequest,
  SubjectAlternativeNameExtension,
  X509Certificate,
  X509Certificates,
} from '@peculiar/x509';
