import { buildApp } from '../test/infra/support.ts';
const { template } = buildApp();
const t = template.toJSON();
for (const [id, r] of Object.entries<any>(t.Resources)) {
  if (['AWS::KMS::Key','AWS::SNS::TopicPolicy','AWS::SNS::Topic','AWS::SES::ConfigurationSet','AWS::SES::ConfigurationSetEventDestination','AWS::SNS::Subscription','AWS::SQS::QueuePolicy','AWS::Lambda::Permission','AWS::Lambda::EventInvokeConfig'].includes(r.Type)) console.log(id, r.Type, JSON.stringify(r.Properties));
  if (r.Type === 'AWS::IAM::Policy') console.log(id, JSON.stringify(r.Properties.PolicyDocument.Statement));
}
